using Mesh.Core.Configuration;
using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

public sealed class EnvironmentOverrideTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Override_NestedKey_WinsOverFile()
    {
        var config = Load(_dir, "[internal_grpc]\nlisten = \"0.0.0.0:50051\"\n[internal_grpc.security]\nmode = \"tls\"\n", new()
        {
            ["MESH_INTERNAL_GRPC__LISTEN"] = "127.0.0.1:6000",
            ["MESH_INTERNAL_GRPC__SECURITY__MODE"] = "mtls",
            ["MESH_INTERNAL_GRPC__SECURITY__CERT_DIR"] = "/etc/mesh/certs",
        });

        Assert.Equal(new ListenAddress("127.0.0.1", 6000), config.InternalGrpc.Listen);
        Assert.Equal(GrpcSecurityMode.Mtls, config.InternalGrpc.Security.Mode);
    }

    [Fact]
    public void Override_NodeIdFromEnvironment_CompletesANodeConfig()
    {
        var config = Load(_dir, "[server]\nrole = \"node\"\n[hub]\ntarget = \"https://hub:50051\"\n", new()
        {
            ["MESH_SERVER__NODE_ID"] = "worker-7",
        });

        Assert.Equal("worker-7", config.Server.NodeId);
    }

    [Fact]
    public void Override_Types_AreConverted()
    {
        var config = Load(_dir, "", new()
        {
            ["MESH_INTERNAL_GRPC__ENABLED"] = "false",
            ["MESH_NODE__CAPABILITIES"] = "gpu, docker",
            ["MESH_NODE__SAFE_PATHS"] = "[\"/a\", \"/b\"]",
            ["MESH_INTERNAL_GRPC__AUTH__CLOCK_SKEW"] = "5s",
        });

        Assert.False(config.InternalGrpc.Enabled);
        Assert.Equal(["gpu", "docker"], config.Node.Capabilities);
        Assert.Equal(["/a", "/b"], config.Node.SafePaths);
        Assert.Equal(TimeSpan.FromSeconds(5), config.InternalGrpc.Auth.ClockSkew);
    }

    [Fact]
    public void Override_BadValue_NamesTheVariable()
    {
        var problem = Single(_dir, "", new() { ["MESH_INTERNAL_GRPC__ENABLED"] = "yes" });

        Assert.True(problem.Location.IsEnvironment);
        Assert.Equal("env MESH_INTERNAL_GRPC__ENABLED: error: internal_grpc.enabled: 'yes' is not a boolean. Use true or false.", problem.ToString());
    }

    [Fact]
    public void Override_InvalidValue_IsValidatedLikeAFileValue()
    {
        var problem = Single(_dir, "", new() { ["MESH_SERVER__LISTEN"] = "nowhere" });

        Assert.Equal("env MESH_SERVER__LISTEN", problem.Location.ToString());
        Assert.Contains("has no port", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Override_UnknownVariable_SuggestsTheClosest()
    {
        var problem = Single(_dir, "", new() { ["MESH_SERVR__ROLE"] = "hub" });

        Assert.Contains("Did you mean 'MESH_SERVER__ROLE'?", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Override_VariablesWithoutDoubleUnderscore_AreNotConfig()
    {
        var config = Load(_dir, "", new() { ["MESH_CONFIG"] = "/x", ["MESH_ACTOR_TOKEN"] = "t", ["PATH"] = "/bin" });

        Assert.Equal(MeshRole.Hub, config.Server.Role);
    }

    [Fact]
    public void Override_MalformedTomlArray_IsRejected()
    {
        var problem = Single(_dir, "", new() { ["MESH_NODE__CAPABILITIES"] = "[\"gpu\"," });

        Assert.Contains("is not a TOML array", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Override_Toml11ArrayWithNewlinesAndTrailingComma_IsAccepted()
    {
        var config = Load(_dir, "", new() { ["MESH_NODE__CAPABILITIES"] = "[\n  \"gpu\",\n  \"docker\",\n]" });

        Assert.Equal(["gpu", "docker"], config.Node.Capabilities);
    }

    [Fact]
    public void Override_TomlArrayOfIntegers_NamesTheElementType()
    {
        var problem = Single(_dir, "", new() { ["MESH_NODE__CAPABILITIES"] = "[1, 2]" });

        Assert.Equal("env MESH_NODE__CAPABILITIES: error: node.capabilities: expected an array of strings, but an element is an integer.", problem.ToString());
    }
}
