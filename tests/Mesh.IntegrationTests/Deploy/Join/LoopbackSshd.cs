using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mesh.Core.Tests;

namespace Mesh.IntegrationTests.Deploy.Join;

/// <summary>
/// A real OpenSSH sshd (Debian openssh-server) on a loopback port: its own host key, one authorized client key for
/// the current user, nothing else of this machine's SSH configuration.
/// </summary>
internal sealed class LoopbackSshd : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private Process? _process;

    public int Port { get; } = FreePort();

    public string User { get; } = Environment.UserName;

    public string ClientKey { get; private set; } = "";

    public string OtherKey { get; private set; } = "";

    public string HostKeyFingerprint { get; private set; } = "";

    public static async Task<LoopbackSshd> StartAsync()
    {
        var sshd = new LoopbackSshd();
        await sshd.StartCoreAsync();
        return sshd;
    }

    private async Task StartCoreAsync()
    {
        var d = _dir.Path;
        foreach (var name in new[] { "host", "client", "other" })
            await Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mesh-test-" + name, "-f", Path.Combine(d, name));
        ClientKey = await File.ReadAllTextAsync(Path.Combine(d, "client"));
        OtherKey = await File.ReadAllTextAsync(Path.Combine(d, "other"));
        File.Copy(Path.Combine(d, "client.pub"), Path.Combine(d, "authorized_keys"));
        HostKeyFingerprint = (await Run("ssh-keygen", "-l", "-E", "sha256", "-f", Path.Combine(d, "host.pub"))).Split(' ')[1];
        Directory.CreateDirectory("/run/sshd"); // privilege separation folder sshd insists on
        var config = _dir.Write("sshd_config", $"""
            Port {Port}
            ListenAddress 127.0.0.1
            HostKey {d}/host
            PidFile {d}/sshd.pid
            AuthorizedKeysFile {d}/authorized_keys
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            PermitRootLogin prohibit-password
            StrictModes no
            SetEnv MESH_NODE__LOCAL_LISTEN=127.0.0.1:0
            """);
        var info = new ProcessStartInfo("/usr/sbin/sshd") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-D", "-e", "-f", config })
            info.ArgumentList.Add(arg);
        _process = Process.Start(info)!;
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> Run(string file, params string[] args)
    {
        var (code, stdout, stderr) = await JoinHubProcess.RunAsync(file, args);
        Assert.True(code == 0, $"{file}: {stderr}");
        return stdout;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _dir.Dispose();
    }
}
