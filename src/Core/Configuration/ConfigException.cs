namespace Mesh.Core.Configuration;

/// <summary>Thrown when a configuration cannot be used; carries every problem found, not only the first.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigProblem> problems)
        : base(string.Join(Environment.NewLine, problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<ConfigProblem> Problems { get; }
}
