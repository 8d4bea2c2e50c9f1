using System.Net;
using System.Text.RegularExpressions;
using Mesh.Core.Tests;

namespace Mesh.IntegrationTests.Deploy.Join;

/// <summary>
/// SSH provisioning from the UI against a real sshd on loopback: the hub reads the host key, the operator confirms
/// it, the hub logs in with a key it never keeps and installs a node with --no-service into a temporary --root.
/// </summary>
public sealed partial class SshProvisioningTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private JoinHubProcess _hub = null!;
    private LoopbackSshd _sshd = null!;
    private WebSession _root = null!;

    public async Task InitializeAsync()
    {
        _hub = await JoinHubProcess.StartAsync();
        _sshd = await LoopbackSshd.StartAsync();
        _root = await WebSession.LoginAsync(_hub.WebUrl, "root", _hub.RootPassword);
    }

    public async Task DisposeAsync()
    {
        _root.Dispose();
        await _sshd.DisposeAsync();
        await _hub.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task ReadHostKey_Confirm_Install_NodeJoinsOnline_KeyAndTokenNeverLoggedOrEchoed()
    {
        var root = Path.Combine(_dir.Path, "machine");

        // Step 1: no fingerprint yet, so the hub reads the host key and asks.
        var step1 = await PostAsync(Fields("ssh-node-1", root));
        var html1 = WebUtility.HtmlDecode(await step1.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, step1.StatusCode);
        Assert.Contains("Confirm the host key", html1, StringComparison.Ordinal);
        Assert.Contains(_sshd.HostKeyFingerprint, html1, StringComparison.Ordinal); // what ssh-keygen -lf prints for the host key
        Assert.False(Directory.Exists(root));

        // Step 2: the operator confirms it and provisions.
        var step2 = await PostAsync(Fields("ssh-node-1", root, _sshd.HostKeyFingerprint, _sshd.ClientKey));
        var html2 = WebUtility.HtmlDecode(await step2.Content.ReadAsStringAsync());
        Assert.True(step2.StatusCode == HttpStatusCode.OK, html2);
        Assert.Contains("Node 'ssh-node-1' installed on 127.0.0.1 and joined.", html2, StringComparison.Ordinal);
        await _hub.WaitUntilOnlineAsync("ssh-node-1");
        try
        {
            Assert.Contains("hub CA matches the token's pin", html2, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root, "etc/mesh/node.toml")));
            Assert.Single(await _hub.AuditAsync("node.provisioned"));

            // Secrets: the key's body is neither in the page nor in any hub log line; the token's secret only in node.toml.
            var keyBody = KeyBody(_sshd.ClientKey);
            var token = Regex.Match(await File.ReadAllTextAsync(Path.Combine(root, "etc/mesh/node.toml")), "token = \"(mesh1\\.[^\"]+)\"").Groups[1].Value;
            var secret = token.Split('.')[2];
            foreach (var text in new[] { html1, html2, _hub.Process.StandardOutput, _hub.Process.StandardError })
            {
                Assert.DoesNotContain(keyBody, text, StringComparison.Ordinal);
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
        finally
        {
            await StopBackgroundNodeAsync(html2);
        }
    }

    [Fact]
    public async Task WrongHostKey_IsRefused_NothingDoneOrStored()
    {
        var root = Path.Combine(_dir.Path, "mitm");
        var before = await _hub.ActiveTokenCountAsync();

        var response = await PostAsync(Fields("ssh-node-2", root, "SHA256:" + new string('A', 43), _sshd.ClientKey));

        await AssertRefusedAsync(response, $"Host key mismatch: 127.0.0.1:{_sshd.Port} presented {_sshd.HostKeyFingerprint}");
        Assert.False(Directory.Exists(root));
        Assert.Equal(before, await _hub.ActiveTokenCountAsync());
    }

    [Fact]
    public async Task WrongPrivateKey_IsRefused()
    {
        var response = await PostAsync(Fields("ssh-node-3", Path.Combine(_dir.Path, "x"), _sshd.HostKeyFingerprint, _sshd.OtherKey));

        await AssertRefusedAsync(response, $"127.0.0.1 refused the private key for user '{_sshd.User}'");
        Assert.DoesNotContain(KeyBody(_sshd.OtherKey), _hub.Process.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreadablePrivateKey_IsRefusedBeforeConnecting()
    {
        var response = await PostAsync(Fields("ssh-node-4", Path.Combine(_dir.Path, "y"), _sshd.HostKeyFingerprint, "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----"));

        await AssertRefusedAsync(response, "The private key cannot be read");
    }

    [Fact]
    public async Task UnreachablePort_IsRefused()
    {
        var fields = Fields("ssh-node-5", Path.Combine(_dir.Path, "z"));
        fields["port"] = LoopbackSshd.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

        await AssertRefusedAsync(await PostAsync(fields), "connection refused. Is sshd running there");
    }

    [Fact]
    public async Task HostWithoutSystemd_IsRefusedUnlessWithoutAService()
    {
        if (Directory.Exists("/run/systemd/system"))
            return; // this machine runs systemd: the refusal cannot be produced here (the check is MachineCheck in SshProvisioner)
        var root = Path.Combine(_dir.Path, "nosystemd");
        var fields = Fields("ssh-node-6", root, _sshd.HostKeyFingerprint, _sshd.ClientKey);
        fields.Remove("no_service");
        var before = await _hub.ActiveTokenCountAsync();

        await AssertRefusedAsync(await PostAsync(fields), "127.0.0.1 does not run systemd");
        Assert.False(Directory.Exists(root));
        Assert.Equal(before, await _hub.ActiveTokenCountAsync());
    }

    [Fact]
    public async Task Page_NeedsRootAndAntiforgery_AndNeverEchoesTheKey()
    {
        // Without the antiforgery token: refused.
        var forged = await _root.PostFormAsync("/join/ssh", "/join/ssh", Fields("ssh-node-7", "/tmp/q", _sshd.HostKeyFingerprint, _sshd.ClientKey), antiforgery: false);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Empty(await _hub.AuditAsync("node.provisioning_failed"));

        // A viewer: 403 on the page and on the form.
        var created = await _root.PostFormAsync("/access", "/access?handler=CreateViewer", new() { ["name"] = "watcher", ["password"] = "watcher-password-123" });
        Assert.True(created.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, created.StatusCode.ToString());
        using var viewer = await WebSession.LoginAsync(_hub.WebUrl, "watcher", "watcher-password-123");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/join/ssh")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostFormAsync("/", "/join/ssh", Fields("ssh-node-7", "/tmp/q", _sshd.HostKeyFingerprint, _sshd.ClientKey))).StatusCode);

        // A validation error re-renders the form with what was typed, except the key and passphrase.
        var fields = Fields("hub", "/tmp/q", _sshd.HostKeyFingerprint, _sshd.ClientKey);
        fields["passphrase"] = "a-passphrase-to-forget";
        var invalid = await PostAsync(fields);
        var html = await invalid.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("node id &#x27;hub&#x27; is reserved", html, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyBody(_sshd.ClientKey), html, StringComparison.Ordinal);
        Assert.DoesNotContain("a-passphrase-to-forget", html, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Fields(string nodeId, string root, string? hostKey = null, string? privateKey = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["host"] = "127.0.0.1",
            ["port"] = _sshd.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["user"] = _sshd.User,
            ["node_id"] = nodeId,
            ["no_service"] = "true",
            ["root"] = root,
        };
        if (hostKey is not null)
            fields["host_key"] = hostKey;
        if (privateKey is not null)
            fields["private_key"] = privateKey;
        return fields;
    }

    private Task<HttpResponseMessage> PostAsync(Dictionary<string, string> fields) => _root.PostFormAsync("/join/ssh", "/join/ssh", fields);

    private async Task AssertRefusedAsync(HttpResponseMessage response, string message)
    {
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {html}");
        Assert.Contains(message, html, StringComparison.Ordinal);
    }

    /// <summary>The base64 lines of a private key file (what must never appear anywhere).</summary>
    private static string KeyBody(string key) => key.Split('\n')[1];

    private static async Task StopBackgroundNodeAsync(string html)
    {
        var pid = Regex.Match(html, "running in the background \\(pid ([0-9]+)");
        if (pid.Success)
        {
            using var node = System.Diagnostics.Process.GetProcessById(int.Parse(pid.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
        }
    }
}
