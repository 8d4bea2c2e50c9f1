using Mesh.Core.Configuration;

namespace Mesh.Core.Tests.Configuration;

internal static class ConfigTestHelpers
{
    public static readonly Dictionary<string, string?> NoEnvironment = new();

    public const string StrongSecret = "q7Vx2LmN9pR4sT1uW8yZ3aB6cD0eF5gH";

    public static MeshConfig Load(TempDirectory dir, string toml, Dictionary<string, string?>? env = null, MeshRole? forceRole = null) =>
        ConfigLoader.Load(dir.Write("mesh.toml", toml), env ?? NoEnvironment, forceRole);

    public static IReadOnlyList<ConfigProblem> Problems(TempDirectory dir, string toml, Dictionary<string, string?>? env = null) =>
        Assert.Throws<ConfigException>(() => Load(dir, toml, env)).Problems;

    public static ConfigProblem Single(TempDirectory dir, string toml, Dictionary<string, string?>? env = null)
    {
        var problems = Problems(dir, toml, env);
        return Assert.Single(problems);
    }
}
