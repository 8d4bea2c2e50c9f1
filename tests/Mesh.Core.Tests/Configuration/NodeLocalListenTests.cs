using Mesh.Core.Configuration;
using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

/// <summary>[node] local_listen: the node's plaintext local mailbox endpoint, loopback only.</summary>
public sealed class NodeLocalListenTests : IDisposable
{
    private const string Node = "[server]\nrole = \"node\"\nnode_id = \"n1\"\n[hub]\ntarget = \"https://hub:50051\"\n";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void LocalListen_NodeWithoutKey_IsTheLoopbackDefault()
    {
        var config = Load(_dir, Node);

        Assert.Equal(new ListenAddress("127.0.0.1", 50055), config.Node.LocalListen);
        Assert.True(config.Node.LocalListenIsDefault);
    }

    [Fact]
    public void LocalListen_HubWithoutKey_IsOff()
    {
        var config = Load(_dir, "");

        Assert.Null(config.Node.LocalListen);
        Assert.False(config.Node.LocalListenIsDefault);
    }

    [Fact]
    public void LocalListen_HubWithKey_ServesTheEmbeddedNode()
    {
        var config = Load(_dir, "[node]\nlocal_listen = \"127.0.0.1:50056\"\n");

        Assert.Equal(new ListenAddress("127.0.0.1", 50056), config.Node.LocalListen);
        Assert.False(config.Node.LocalListenIsDefault);
    }

    [Fact]
    public void LocalListen_ForcedNodeRole_GetsTheDefault()
    {
        var config = Load(_dir, "[server]\nnode_id = \"n1\"\n[hub]\ntarget = \"https://hub:50051\"\n", forceRole: MeshRole.Node);

        Assert.Equal(new ListenAddress("127.0.0.1", 50055), config.Node.LocalListen);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void LocalListen_Empty_TurnsTheEndpointOff(string value)
    {
        var config = Load(_dir, Node + $"[node]\nlocal_listen = \"{value}\"\n");

        Assert.Null(config.Node.LocalListen);
        Assert.False(config.Node.LocalListenIsDefault);
    }

    [Theory]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("127.0.0.1:6001", "127.0.0.1", 6001)]
    [InlineData("127.1.2.3:6001", "127.1.2.3", 6001)]
    [InlineData("[::1]:6001", "::1", 6001)]
    [InlineData("localhost:6001", "localhost", 6001)]
    [InlineData("LOCALHOST:6001", "LOCALHOST", 6001)]
    public void LocalListen_Loopback_IsAccepted(string value, string host, int port)
    {
        var config = Load(_dir, Node + $"[node]\nlocal_listen = \"{value}\"\n");

        Assert.Equal(new ListenAddress(host, port), config.Node.LocalListen);
        Assert.False(config.Node.LocalListenIsDefault);
    }

    [Theory]
    [InlineData("0.0.0.0:50055")]
    [InlineData("10.0.0.5:50055")]
    [InlineData("[::]:50055")]
    [InlineData("[2001:db8::1]:50055")]
    [InlineData("node.example.com:50055")]
    public void LocalListen_NotLoopback_IsAProblemAtItsPosition(string value)
    {
        var problem = Single(_dir, Node + $"[node]\nlocal_listen = \"{value}\"\n");

        Assert.Equal("node.local_listen", problem.Key);
        Assert.Equal((7, 16), (problem.Location.Line, problem.Location.Column));
        Assert.Contains($"'{value}' is not a loopback address", problem.Message, StringComparison.Ordinal);
        Assert.Contains("plaintext", problem.Message, StringComparison.Ordinal);
        Assert.Matches(@"mesh\.toml\(7,16\): error: node\.local_listen: ", problem.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1", "has no port")]
    [InlineData("127.0.0.1:99999", "is not a number from 0 to 65535")]
    [InlineData("http://127.0.0.1:50055", "is a URL")]
    public void LocalListen_Malformed_SaysHowToWriteIt(string value, string expected)
    {
        var problem = Single(_dir, Node + $"[node]\nlocal_listen = \"{value}\"\n");

        Assert.Equal("node.local_listen", problem.Key);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.Contains("\"127.0.0.1:50055\"", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalListen_WrongType_IsRejected()
    {
        var problem = Single(_dir, Node + "[node]\nlocal_listen = false\n");

        Assert.Equal("node.local_listen", problem.Key);
        Assert.Contains("expected a string", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalListen_FromEnvironment_IsCheckedToo()
    {
        var problem = Single(_dir, Node, new() { ["MESH_NODE__LOCAL_LISTEN"] = "0.0.0.0:50055" });

        Assert.True(problem.Location.IsEnvironment);
        Assert.Equal("MESH_NODE__LOCAL_LISTEN", problem.Location.Source);
        Assert.Contains("not a loopback address", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalListen_EmptyFromEnvironment_TurnsItOff()
    {
        var config = Load(_dir, Node, new() { ["MESH_NODE__LOCAL_LISTEN"] = "" });

        Assert.Null(config.Node.LocalListen);
    }
}
