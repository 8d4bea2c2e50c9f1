using Mesh.Core.Configuration;
using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

public sealed class ConfigLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_EmptyFile_GivesHubDefaults()
    {
        var config = Load(_dir, "");

        Assert.Equal(MeshRole.Hub, config.Server.Role);
        Assert.Equal(new ListenAddress("127.0.0.1", 8080), config.Server.Listen);
        Assert.Equal("/var/lib/mesh", config.Server.DataDir);
        Assert.True(config.InternalGrpc.Enabled);
        Assert.Equal(new ListenAddress("0.0.0.0", 50051), config.InternalGrpc.Listen);
        Assert.Equal(GrpcSecurityMode.Tls, config.InternalGrpc.Security.Mode);
        Assert.Equal("/var/lib/mesh/certs", config.InternalGrpc.Security.CertDir);
        Assert.Equal("mesh", config.InternalGrpc.Auth.Issuer);
        Assert.Equal("mesh-internal", config.InternalGrpc.Auth.Audience);
        Assert.Equal(TimeSpan.FromSeconds(30), config.InternalGrpc.Auth.ClockSkew);
        Assert.Null(config.InternalGrpc.Auth.SharedSecret);
    }

    [Fact]
    public void Load_FullNodeConfig_BindsEveryKey()
    {
        var config = Load(_dir, $"""
            [server]
            role = "node"
            node_id = "gpu-01"
            data_dir = "state"

            [internal_grpc]
            listen = "[::]:50061"
            health_listen = "0.0.0.0:50052"

            [internal_grpc.security]
            mode = "mtls"
            cert_dir = "/etc/mesh/certs"

            [internal_grpc.auth]
            shared_secret = "{StrongSecret}"
            previous_secrets = ["{StrongSecret}X"]
            issuer = "corp"
            audience = "corp-internal"
            clock_skew = "10s"

            [internal_grpc.bootstrap]
            token = "{NodeToken}"

            [hub]
            target = "https://hub.example.com:50051"

            [node]
            name = "GPU Node 01"
            capabilities = ["gpu", "docker", "gpu"]
            safe_paths = ["/data/mesh"]

            [worktree]
            default_root = "/data/mesh/worktrees"
            """);

        Assert.Equal(MeshRole.Node, config.Server.Role);
        Assert.Equal("gpu-01", config.Server.NodeId);
        Assert.Equal(Path.Combine(_dir.Path, "state"), config.Server.DataDir);
        Assert.Equal(new ListenAddress("::", 50061), config.InternalGrpc.Listen);
        Assert.Equal(new ListenAddress("0.0.0.0", 50052), config.InternalGrpc.HealthListen);
        Assert.Equal(GrpcSecurityMode.Mtls, config.InternalGrpc.Security.Mode);
        Assert.Equal(StrongSecret, config.InternalGrpc.Auth.SharedSecret!.Reveal());
        Assert.Single(config.InternalGrpc.Auth.PreviousSecrets);
        Assert.Equal("corp", config.InternalGrpc.Auth.Issuer);
        Assert.Equal(TimeSpan.FromSeconds(10), config.InternalGrpc.Auth.ClockSkew);
        Assert.Equal(NodeToken, config.InternalGrpc.BootstrapToken!.Reveal());
        Assert.Equal(new Uri("https://hub.example.com:50051"), config.Hub.Target);
        Assert.Equal("GPU Node 01", config.Node.Name);
        Assert.Equal(["gpu", "docker"], config.Node.Capabilities);
        Assert.Equal(["/data/mesh"], config.Node.SafePaths);
        Assert.Equal("/data/mesh/worktrees", config.Worktree.DefaultRoot);
    }

    private const string NodeToken = "mesh1.0123456789ab.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ.0000000000000000000000000000000000000000000000000000000000000000";

    [Fact]
    public void Load_NodeWithMalformedToken_IsRejectedAtStartup()
    {
        var problem = Single(_dir, "[server]\nrole = \"node\"\nnode_id = \"n1\"\n[hub]\ntarget = \"https://hub:50051\"\n[internal_grpc.bootstrap]\ntoken = \"REPLACE-ME\"\n");

        Assert.Equal("internal_grpc.bootstrap.token", problem.Key);
        Assert.Contains("Paste the whole token", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("REPLACE-ME", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short", "too weak")]
    [InlineData(NodeToken, "must be a cluster token")]
    public void Load_HubWithBadBootstrapToken_IsRejected(string token, string expected)
    {
        var problem = Single(_dir, $"[internal_grpc.bootstrap]\ntoken = \"{token}\"\n");

        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Secrets_NeverAppearInToString()
    {
        var config = Load(_dir, $"""
            [internal_grpc.auth]
            shared_secret = "{StrongSecret}"
            [admin]
            api_token = "{StrongSecret}"
            """);

        Assert.DoesNotContain(StrongSecret, config.ToString(), StringComparison.Ordinal);
        Assert.Contains("(secret)", config.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MalformedToml_ReportsFileLineAndColumn()
    {
        var problem = Single(_dir, "[server]\nrole = \"hub\"\nlisten = \n");

        Assert.Equal(3, problem.Location.Line);
        Assert.Equal(10, problem.Location.Column);
        Assert.StartsWith(Path.Combine(_dir.Path, "mesh.toml") + "(3,10): error:", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnterminatedString_ReportsPosition()
    {
        var problem = Single(_dir, "[server]\nrole = \"hub\nlisten = \"x\"\n");

        Assert.Equal(2, problem.Location.Line);
    }

    [Fact]
    public void Load_WrongType_NamesKeyExpectedTypeAndPosition()
    {
        var problem = Single(_dir, "[internal_grpc]\nenabled = \"yes\"\n");

        Assert.Equal("internal_grpc.enabled", problem.Key);
        Assert.Equal((2, 11), (problem.Location.Line, problem.Location.Column));
        Assert.Contains("expected a boolean (true or false), got a string", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ArrayWithNonStrings_IsRejected()
    {
        var problem = Single(_dir, "[node]\ncapabilities = [\"gpu\", 3]\n");

        Assert.Equal("node.capabilities", problem.Key);
        Assert.Contains("an element is an integer", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownKey_SuggestsTheClosest()
    {
        var problem = Single(_dir, "[server]\nlisen = \"0.0.0.0:8080\"\n");

        Assert.Equal("server.lisen", problem.Key);
        Assert.Equal((2, 1), (problem.Location.Line, problem.Location.Column));
        Assert.Contains("Did you mean 'listen'?", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownSection_SuggestsTheClosest()
    {
        var problem = Single(_dir, "[servr]\nrole = \"hub\"\n");

        Assert.Contains("unknown section [servr]", problem.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'server'?", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownNestedSection_SuggestsTheClosest()
    {
        var problem = Single(_dir, "[internal_grpc.securty]\nmode = \"tls\"\n");

        Assert.Contains("Did you mean 'internal_grpc.security'?", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KeyOutsideSection_SaysWhereItBelongs()
    {
        var problem = Single(_dir, "role = \"hub\"\n");

        Assert.Contains("Put it under [server]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MisspelledRole_SuggestsHub()
    {
        var problem = Single(_dir, "[server]\nrole = \"hbu\"\n");

        Assert.Equal("server.role", problem.Key);
        Assert.Equal((2, 8), (problem.Location.Line, problem.Location.Column));
        Assert.Contains("unknown role 'hbu'. Did you mean 'hub'?", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NodeWithoutNodeIdOrHubTarget_ReportsBoth()
    {
        var problems = Problems(_dir, "[server]\nrole = \"node\"\n");

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Key == "server.node_id" && p.Message.Contains("node_id = \"node-01\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Key == "hub.target" && p.Message.Contains("https://hub.example.com:50051", StringComparison.Ordinal));
        Assert.All(problems.Where(p => p.Key == "server.node_id"), p => Assert.Equal(1, p.Location.Line));
    }

    [Theory]
    [InlineData("0.0.0.0", "has no port")]
    [InlineData("0.0.0.0:99999", "not a number from 0 to 65535")]
    [InlineData("0.0.0.0:http", "not a number from 0 to 65535")]
    [InlineData("http://0.0.0.0:80", "is a URL")]
    [InlineData("[::1:50051", "is not [ipv6]:port")]
    [InlineData("bad host!:80", "neither an IP address nor a host name")]
    [InlineData("::1:50051", "has no port")]
    public void Load_InvalidListen_ExplainsTheForm(string listen, string expected)
    {
        var problem = Single(_dir, $"[internal_grpc]\nlisten = \"{listen}\"\n");

        Assert.Equal("internal_grpc.listen", problem.Key);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("n", "1 characters long")]
    [InlineData("node 01", "contains ' ' at position 5")]
    [InlineData("nöde", "contains 'ö'")]
    [InlineData("node/01", "contains '/'")]
    public void Load_BadNodeId_IsRejected(string id, string expected)
    {
        var problem = Single(_dir, $"[server]\nrole = \"node\"\nnode_id = \"{id}\"\n[hub]\ntarget = \"https://hub:50051\"\n");

        Assert.Equal("server.node_id", problem.Key);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("node", "hub")]
    [InlineData("node", "root")]
    [InlineData("node", "main")]
    [InlineData("node", "Hub")]
    [InlineData("hub", "hub")]
    [InlineData("hub", "root")]
    public void Load_ReservedNodeId_IsRejected(string role, string id)
    {
        var problem = Single(_dir, $"[server]\nrole = \"{role}\"\nnode_id = \"{id}\"\n[hub]\ntarget = \"https://hub:50051\"\n");

        Assert.Equal("server.node_id", problem.Key);
        Assert.Contains($"'{id}' is reserved", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HubWhoseEmbeddedNodeIsMain_IsAccepted()
    {
        var config = Load(_dir, "[server]\nrole = \"hub\"\nnode_id = \"main\"\n");

        Assert.Equal("main", config.Server.NodeId);
    }

    [Fact]
    public void Load_NodeIdOf65Characters_IsRejected()
    {
        var problem = Single(_dir, $"[server]\nnode_id = \"{new string('a', 65)}\"\n");

        Assert.Contains("65 characters long", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MtlsWithoutCertDir_AsksForIt()
    {
        var problem = Single(_dir, "[internal_grpc.security]\nmode = \"mtls\"\n");

        Assert.Equal("internal_grpc.security.cert_dir", problem.Key);
        Assert.Equal(1, problem.Location.Line);
        Assert.Contains("cert_dir = \"/etc/mesh/certs\"", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownSecurityMode_Suggests()
    {
        var problem = Single(_dir, "[internal_grpc.security]\nmode = \"mtsl\"\ncert_dir = \"/x\"\n");

        Assert.Contains("Did you mean 'mtls'?", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short-secret", "12 bytes long")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bits of entropy")]
    [InlineData("abababababababababababababababababab", "bits of entropy")]
    public void Load_WeakSharedSecret_IsRejectedWithoutEchoingIt(string secret, string expected)
    {
        var problem = Single(_dir, $"[internal_grpc.auth]\nshared_secret = \"{secret}\"\n");

        Assert.Equal("internal_grpc.auth.shared_secret", problem.Key);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ClusterSecretWithBase64Padding_IsRejected_BecauseEveryNodeWouldRefuseItsToken()
    {
        // What `openssl rand -base64 32` prints: '+', '/' and a final '=' are not base64url.
        const string secret = "q8K+3vZ/1mT9wR4yU7iO2pA5sD6fG0hJ3kL8nB1xC4e=";
        var problem = Single(_dir, $"[internal_grpc.bootstrap]\ntoken = \"{secret}\"\n");

        Assert.Equal("internal_grpc.bootstrap.token", problem.Key);
        Assert.Contains("only base64url characters", problem.Message, StringComparison.Ordinal);
        Assert.Contains("tr '+/' '-_' | tr -d '='", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hub.example.com:50051", "has no scheme. Use 'https://hub.example.com:50051'")]
    [InlineData("http://hub:50051", "always TLS. Use 'https://hub:50051'")]
    [InlineData("https://hub.example.com", "has no port")]
    [InlineData("https://hub:50051/api", "path, query or user part")]
    public void Load_BadHubTarget_SaysHowToFix(string target, string expected)
    {
        var problem = Single(_dir, $"[server]\nrole = \"node\"\nnode_id = \"n1\"\n[hub]\ntarget = \"{target}\"\n");

        Assert.Equal("hub.target", problem.Key);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30", "not a duration")]
    [InlineData("10 minutes", "not a duration")]
    [InlineData("10m", "out of range: use 0s to 5m. Fix the clocks (NTP)")]
    public void Load_BadClockSkew_IsRejected(string skew, string expected)
    {
        var problem = Single(_dir, $"[internal_grpc.auth]\nclock_skew = \"{skew}\"\n");

        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RelativeSafePath_IsRejected()
    {
        var problem = Single(_dir, "[node]\nsafe_paths = [\"data\"]\n");

        Assert.Contains("not an absolute path", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ManyProblems_AreAllReportedInOneReport()
    {
        var problems = Problems(_dir, """
            [server]
            role = "node"
            node_id = "x"
            lisen = "a"

            [internal_grpc]
            listen = "nope"
            enabled = 1

            [internal_grpc.security]
            mode = "mtls"

            [bogus]
            """);

        Assert.Equal(7, problems.Count);
        Assert.All(problems, p => Assert.False(p.Location.IsEnvironment));
        Assert.Contains(problems, p => p.Key == "server.lisen");
        Assert.Contains(problems, p => p.Key == "server.node_id" && p.Location.Line == 3);
        Assert.Contains(problems, p => p.Key == "internal_grpc.listen" && p.Location.Line == 7);
        Assert.Contains(problems, p => p.Key == "internal_grpc.enabled" && p.Location.Line == 8);
        Assert.Contains(problems, p => p.Key == "internal_grpc.security.cert_dir");
        Assert.Contains(problems, p => p.Key == "hub.target");
        Assert.Contains(problems, p => p.Message.Contains("[bogus]", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_MissingFile_SaysHowToPointAtOne()
    {
        var problem = Assert.Single(Assert.Throws<ConfigException>(() =>
            ConfigLoader.Load(Path.Combine(_dir.Path, "absent.toml"), NoEnvironment)).Problems);

        Assert.Contains("configuration file not found", problem.Message, StringComparison.Ordinal);
        Assert.Contains("--config PATH", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Directory_IsRejected()
    {
        var problem = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Load(_dir.Path, NoEnvironment)).Problems);

        Assert.Contains("is a directory", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidUtf8_IsRejected()
    {
        var path = Path.Combine(_dir.Path, "bad.toml");
        File.WriteAllBytes(path, [(byte)'a', (byte)' ', (byte)'=', (byte)' ', (byte)'"', 0xC3, 0x28, (byte)'"']);

        var problem = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, NoEnvironment)).Problems);

        Assert.Contains("not valid UTF-8 (bad byte at offset 5)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ByteOrderMark_IsAccepted()
    {
        var path = Path.Combine(_dir.Path, "bom.toml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "[server]\nrole = \"hub\"\n"u8.ToArray()]);

        Assert.Equal(MeshRole.Hub, ConfigLoader.Load(path, NoEnvironment).Server.Role);
    }

    [Fact]
    public void Load_ForceNodeRole_OverridesTheFile()
    {
        var config = Load(_dir, "[server]\nrole = \"hub\"\nnode_id = \"n-1\"\n[hub]\ntarget = \"https://hub:50051\"\n", forceRole: MeshRole.Node);

        Assert.Equal(MeshRole.Node, config.Server.Role);
    }
}
