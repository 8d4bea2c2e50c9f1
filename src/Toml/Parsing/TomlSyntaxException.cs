namespace Mesh.Toml.Parsing;

/// <summary>Stops parsing at the first error; turned into a <see cref="TomlDiagnostic"/> by the parser.</summary>
internal sealed class TomlSyntaxException : Exception
{
    public TomlSyntaxException(int start, int end, string message)
        : base(message)
    {
        Start = start;
        End = end;
    }

    public int Start { get; }

    public int End { get; }
}
