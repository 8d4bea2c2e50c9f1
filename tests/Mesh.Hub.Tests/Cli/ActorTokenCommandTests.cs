using System.Security.Cryptography;
using Mesh.Core.Auth;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;
using Mesh.Node.Identity;
using Mesh.Node.Mailbox;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Mesh.Hub.Tests.Cli;

/// <summary>mesh actor-token with the real binary: what it signs with, its bounds and its refusals.</summary>
public sealed class ActorTokenCommandTests : IDisposable
{
    private const string KeyId = "n.test-fingerprint.n1";
    private readonly TempDirectory _dir = new();
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ActorToken_EnrolledNode_PrintsActorTokenSignedWithTheNodesKey()
    {
        var config = NodeConfig(enrolled: true);

        var (code, stdout, stderr) = await MeshProcess.RunAsync("actor-token", "--config", config, "--actor-id", "a1", "--ttl", "30m");

        Assert.True(code == 0, stderr);
        var token = stdout.Trim();
        Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var validator = new NodeTokenValidator(new NodeSigningKey(KeyId, _key), "n1", "mesh", "mesh-internal", TimeSpan.FromSeconds(30));
        Assert.Equal(("a1", (string?)null), await validator.CheckAsync("Bearer " + token));
        var jwt = new JsonWebToken(token);
        Assert.Equal(KeyId, jwt.Kid);
        Assert.Equal(TimeSpan.FromMinutes(30), jwt.ValidTo - jwt.IssuedAt);
        // Another key (another node, or a forged one) does not validate it.
        var other = new NodeTokenValidator(new NodeSigningKey(KeyId, RandomNumberGenerator.GetBytes(32)), "n1", "mesh", "mesh-internal", TimeSpan.FromSeconds(30));
        Assert.Null((await other.CheckAsync("Bearer " + token)).ActorId);
    }

    [Fact]
    public async Task ActorToken_DefaultTtl_IsOneHour()
    {
        var (code, stdout, stderr) = await MeshProcess.RunAsync("actor-token", "--config", NodeConfig(enrolled: true), "--actor-id", "a1");

        Assert.True(code == 0, stderr);
        var jwt = new JsonWebToken(stdout.Trim());
        Assert.Equal(TimeSpan.FromHours(1), jwt.ValidTo - jwt.IssuedAt);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0s")]
    [InlineData("30s")]
    [InlineData("25h")]
    [InlineData("2d")]
    [InlineData("soon")]
    [InlineData("99999999999h")]
    [InlineData("99999999999999999999999d")]
    public async Task ActorToken_TtlOutOfBounds_ExitsTwoWithTheRange(string ttl)
    {
        var (code, stdout, stderr) = await MeshProcess.RunAsync("actor-token", "--config", NodeConfig(enrolled: true), "--actor-id", "a1", "--ttl", ttl);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout.Trim());
        Assert.Contains($"--ttl '{ttl}' must be a duration from 1m to 1d", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActorToken_BadActorId_ExitsTwo()
    {
        var (code, _, stderr) = await MeshProcess.RunAsync("actor-token", "--config", NodeConfig(enrolled: true), "--actor-id", "a b");

        Assert.Equal(2, code);
        Assert.Contains("--actor-id 'a b' contains ' '", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActorToken_MissingActorId_ExitsTwo()
    {
        var (code, _, stderr) = await MeshProcess.RunAsync("actor-token", "--config", NodeConfig(enrolled: true));

        Assert.Equal(2, code);
        Assert.Contains("--actor-id", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActorToken_NodeNotEnrolled_ExitsOneSayingHowToEnroll()
    {
        var config = NodeConfig(enrolled: false);

        var (code, stdout, stderr) = await MeshProcess.RunAsync("actor-token", "--config", config, "--actor-id", "a1");

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout.Trim());
        Assert.Contains("node 'n1' is not enrolled", stderr, StringComparison.Ordinal);
        Assert.Contains("mesh run --config", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActorToken_SigningKeyReadableByOthers_ExitsOneAndMintsNothing()
    {
        var config = NodeConfig(enrolled: true);
        File.SetUnixFileMode(Path.Combine(_dir.Path, "certs", NodeIdentityFiles.SigningKeyFile), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var (code, stdout, stderr) = await MeshProcess.RunAsync("actor-token", "--config", config, "--actor-id", "a1");

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout.Trim());
        Assert.Contains("cannot read node 'n1''s signing key", stderr, StringComparison.Ordinal);
        Assert.Contains("chmod 600", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActorToken_CorruptSigningKey_ExitsOne()
    {
        var config = NodeConfig(enrolled: true);
        var path = Path.Combine(_dir.Path, "certs", NodeIdentityFiles.SigningKeyFile);
        File.WriteAllText(path, "not base64 !!!\n");

        var (code, _, stderr) = await MeshProcess.RunAsync("actor-token", "--config", config, "--actor-id", "a1");

        Assert.Equal(1, code);
        Assert.Contains("cannot read node 'n1''s signing key", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActorToken_BadConfig_ExitsTwoWithPosition()
    {
        var config = _dir.Write("bad.toml", "[server]\nrole = \"node\"\nnode_id = \"n1\"\n[hub]\ntarget = \"https://127.0.0.1:1\"\n[node]\nlocal_listen = \"10.0.0.5:50055\"\n");

        var (code, _, stderr) = await MeshProcess.RunAsync("actor-token", "--config", config, "--actor-id", "a1");

        Assert.Equal(2, code);
        Assert.Contains("bad.toml(7,16): error: node.local_listen:", stderr, StringComparison.Ordinal);
    }

    /// <summary>A node configuration whose cert_dir holds (or not) an identity in the files' format, with a known signing key.</summary>
    private string NodeConfig(bool enrolled)
    {
        var certs = Path.Combine(_dir.Path, "certs");
        Directory.CreateDirectory(certs);
        if (enrolled)
        {
            // Only the signing key and node.json are read; the others must exist for the identity to count as complete.
            File.WriteAllText(Path.Combine(certs, NodeIdentityFiles.CertificateFile), "cert");
            File.WriteAllText(Path.Combine(certs, NodeIdentityFiles.KeyFile), "key");
            File.WriteAllText(Path.Combine(certs, NodeIdentityFiles.CaFile), "ca");
            var keyPath = Path.Combine(certs, NodeIdentityFiles.SigningKeyFile);
            File.WriteAllText(keyPath, Convert.ToBase64String(_key) + "\n");
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(Path.Combine(certs, NodeIdentityFiles.MetadataFile), $$"""{"ClusterId":"c1","SigningKeyId":"{{KeyId}}","NotAfter":"2030-01-01T00:00:00+00:00","ReceivedAt":"2026-01-01T00:00:00+00:00"}""");
        }

        return _dir.Write("node.toml", """
            [server]
            role = "node"
            node_id = "n1"
            data_dir = "data"
            [internal_grpc.security]
            cert_dir = "certs"
            [hub]
            target = "https://127.0.0.1:1"
            """);
    }
}
