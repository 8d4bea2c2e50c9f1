using System.Net;
using System.Text.RegularExpressions;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.IntegrationTests.Deploy.Join;

/// <summary>
/// The one-line join for real: a hub process serves /join/install.sh, and the script runs with sh against it, into a
/// temporary --root so nothing touches this machine's /etc, /opt or /var.
/// </summary>
public sealed partial class InstallScriptTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private JoinHubProcess _hub = null!;

    public async Task InitializeAsync() => _hub = await JoinHubProcess.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task JoinPageCommand_RunWithNoService_InstallsUnderTheRoot_AndTheNodeJoinsOnline()
    {
        using var web = await WebSession.LoginAsync(_hub.WebUrl, "root", _hub.RootPassword);
        var created = await web.PostFormAsync("/join", "/join?handler=Create", new() { ["ttl"] = "1h", ["uses"] = "1", ["node_id"] = "line-node-1" });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode); // post/redirect/get
        var page = await (await web.GetAsync(created.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();
        var command = WebUtility.HtmlDecode(CommandPattern().Match(page).Groups[1].Value);
        Assert.True(command.StartsWith($"curl -fsSL {_hub.WebUrl.GetLeftPart(UriPartial.Authority)}/join/install.sh | sudo sh -s -- --hub https://127.0.0.1:{_hub.GrpcUrl.Port} --node-id line-node-1 --token mesh1.", StringComparison.Ordinal), $"{command} (gRPC {_hub.GrpcUrl})");
        Assert.Contains("loopback only", page, StringComparison.Ordinal); // the hub listens on 127.0.0.1: the page says only this machine can join

        // As the operator would paste it, less sudo (these tests run as the user they are), plus --root and --no-service.
        var root = Path.Combine(_dir.Path, "machine");
        var pasted = command.Replace("| sudo sh -s --", "| sh -s --", StringComparison.Ordinal) + $" --root '{root}' --no-service";
        await using var node = ShellProcess.Start(pasted);
        await node.WaitForLineAsync("mesh node ready: node line-node-1", JoinHubProcess.Wait);
        await _hub.WaitUntilOnlineAsync("line-node-1");

        Assert.Contains("mesh-install: hub CA matches the token's pin", node.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(root, "opt/mesh/mesh")));
        var config = Path.Combine(root, "etc/mesh/node.toml");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        var toml = await File.ReadAllTextAsync(config);
        Assert.Contains("node_id = \"line-node-1\"", toml, StringComparison.Ordinal);
        Assert.Contains($"data_dir = \"{root}/var/lib/mesh\"", toml, StringComparison.Ordinal);
        Assert.Contains($"target = \"https://127.0.0.1:{_hub.GrpcUrl.Port}\"", toml, StringComparison.Ordinal);
        Assert.DoesNotContain("mesh1.", node.Output, StringComparison.Ordinal); // the script never prints the token
    }

    [Fact]
    public async Task ServiceMode_WithRoot_WritesTheUnitAndSysusers_UnitPassesSystemdAnalyzeVerify()
    {
        var root = Path.Combine(_dir.Path, "image");
        var token = await _hub.CreateTokenAsync("unit-node-1");

        var run = await RunScriptAsync(["--hub", GrpcTarget, "--token", token, "--node-id", "unit-node-1", "--root", root]);

        Assert.True(run.Code == 0, run.Stdout + run.Stderr);
        Assert.Contains("(--root: not enabled or started)", run.Stdout, StringComparison.Ordinal);
        var unit = Path.Combine(root, "etc/systemd/system/mesh-node.service");
        var text = await File.ReadAllTextAsync(unit);
        Assert.Contains($"ExecStart={root}/opt/mesh/mesh run --config {root}/etc/mesh/node.toml", text, StringComparison.Ordinal);
        Assert.Contains($"ReadWritePaths={root}/var/lib/mesh", text, StringComparison.Ordinal);
        Assert.Contains("KillMode=process", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(root, "usr/lib/sysusers.d/mesh.conf")));
        var verify = await JoinHubProcess.RunAsync("systemd-analyze", ["verify", unit]);
        Assert.True(verify.Code == 0 && verify.Stderr.Trim().Length == 0, $"systemd-analyze verify: exit {verify.Code}\n{verify.Stderr}");
    }

    [Fact]
    public async Task TamperedPin_Refuses_ExitsThree_AndWritesNothing()
    {
        var root = Directory.CreateDirectory(Path.Combine(_dir.Path, "tampered")).FullName;
        var token = await _hub.CreateTokenAsync("pin-node-1");
        var tampered = token[..^64] + new string('0', 64);

        var run = await RunScriptAsync(["--hub", GrpcTarget, "--token", tampered, "--node-id", "pin-node-1", "--root", root, "--no-service"]);

        Assert.Equal(3, run.Code);
        Assert.Contains("the hub's CA does not match the pin in your token (expected sha256:" + new string('0', 64), run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing was installed", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    [Theory]
    [InlineData("--token", "mesh1.nope", "the token is malformed")]
    [InlineData("--node-id", "main", "node id 'main' is reserved")]
    [InlineData("--node-id", "a b", "is not 2 to 64 characters")]
    [InlineData("--hub", "127.0.0.1:50051", "is not https://host:port")]
    [InlineData("--mode", "plain", "--mode 'plain' is not tls or mtls")]
    public async Task BadArguments_ExitTwo_WithTheReason_AndWriteNothing(string option, string value, string message)
    {
        var root = Directory.CreateDirectory(Path.Combine(_dir.Path, "bad-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        var token = await _hub.CreateTokenAsync("bad-node-1");
        var args = new Dictionary<string, string> { ["--hub"] = GrpcTarget, ["--token"] = token, ["--node-id"] = "bad-node-1" };
        args[option] = value;

        var run = await RunScriptAsync([.. args.SelectMany(a => new[] { a.Key, a.Value }), "--root", root, "--no-service"]);

        Assert.Equal(2, run.Code);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    [Fact]
    public async Task ExistingConfiguration_IsNotReplacedWithoutForce()
    {
        var root = Path.Combine(_dir.Path, "existing");
        Directory.CreateDirectory(Path.Combine(root, "etc/mesh"));
        await File.WriteAllTextAsync(Path.Combine(root, "etc/mesh/node.toml"), "# mine\n");

        var run = await RunScriptAsync(["--hub", GrpcTarget, "--token", await _hub.CreateTokenAsync("old-node-1"), "--root", root, "--no-service"]);

        Assert.Equal(1, run.Code);
        Assert.Contains("already has a node configuration", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("# mine\n", await File.ReadAllTextAsync(Path.Combine(root, "etc/mesh/node.toml")));
        Assert.False(Directory.Exists(Path.Combine(root, "opt")));
    }

    [Fact]
    public async Task Downloads_AreServedWithoutLogin_AndAnotherPlatformIsNamed()
    {
        using var anonymous = new HttpClient { BaseAddress = _hub.WebUrl };
        var script = await anonymous.GetStringAsync("/join/install.sh");
        Assert.Contains($"\nurl={_hub.WebUrl.GetLeftPart(UriPartial.Authority)}\n", script, StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", await anonymous.GetStringAsync("/join/ca.crt"), StringComparison.Ordinal);
        var other = await anonymous.GetAsync("/join/mesh-linux-riscv64.tar.gz");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Contains("serves only that build", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The Join page itself still needs a login.
        Assert.Equal(HttpStatusCode.Redirect, (await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _hub.WebUrl }.GetAsync("/join")).StatusCode);
    }

    private string GrpcTarget => $"https://127.0.0.1:{_hub.GrpcUrl.Port}";

    /// <summary>Downloads the script as curl would and runs it with sh (argv, no shell in between).</summary>
    private async Task<(int Code, string Stdout, string Stderr)> RunScriptAsync(string[] args)
    {
        using var http = new HttpClient { BaseAddress = _hub.WebUrl };
        var script = Path.Combine(_dir.Path, "install-" + Guid.NewGuid().ToString("N")[..6] + ".sh");
        await File.WriteAllTextAsync(script, await http.GetStringAsync("/join/install.sh"));
        return await JoinHubProcess.RunAsync("sh", [script, .. args]);
    }

    [GeneratedRegex("<pre id=\"install-command\" class=\"copyable\">([^<]+)</pre>")]
    private static partial Regex CommandPattern();
}
