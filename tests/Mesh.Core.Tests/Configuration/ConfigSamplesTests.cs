using Mesh.Core.Configuration;

namespace Mesh.Core.Tests.Configuration;

public sealed class ConfigSamplesTests
{
    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepositoryPaths.ConfigSamples, "*.toml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void Samples_IncludeEveryDocumentedFile()
    {
        var names = Directory.GetFiles(RepositoryPaths.ConfigSamples, "*.toml").Select(Path.GetFileName).ToHashSet();

        Assert.Superset(new HashSet<string?> { "hub.toml", "node.toml", "single-machine.toml", "hub-mtls.toml", "node-mtls.toml" }, names);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_ParsesAndValidates(string name)
    {
        var config = ConfigLoader.Load(Path.Combine(RepositoryPaths.ConfigSamples, name), new Dictionary<string, string?>());

        Assert.Equal(name.StartsWith("node", StringComparison.Ordinal) ? MeshRole.Node : MeshRole.Hub, config.Server.Role);
        Assert.Equal(name.Contains("mtls", StringComparison.Ordinal) ? GrpcSecurityMode.Mtls : GrpcSecurityMode.Tls, config.InternalGrpc.Security.Mode);
    }

    [Fact]
    public void Readme_DocumentsEveryKeyAndItsVariable()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

        var missing = ConfigSchema.Keys
            .Where(k => !readme.Contains($"`{k.Path}`", StringComparison.Ordinal) || !readme.Contains(k.EnvironmentVariable, StringComparison.Ordinal))
            .Select(k => k.Path)
            .ToList();
        Assert.True(missing.Count == 0, "README.md's configuration reference lacks: " + string.Join(", ", missing));
    }
}
