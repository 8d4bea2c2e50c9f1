namespace Mesh.Core.Configuration;

/// <summary>Where a configuration value came from: a position in a file, or an environment variable.</summary>
public sealed record ConfigLocation(string Source, int Line, int Column, bool IsEnvironment)
{
    public static ConfigLocation InFile(string path, int line, int column) => new(path, line, column, false);

    public static ConfigLocation FromEnvironment(string variable) => new(variable, 0, 0, true);

    public override string ToString() =>
        IsEnvironment ? $"env {Source}" : Line == 0 ? Source : $"{Source}({Line},{Column})";
}
