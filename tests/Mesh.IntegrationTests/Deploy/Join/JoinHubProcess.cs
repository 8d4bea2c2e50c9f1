using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mesh.Core.Readiness;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.IntegrationTests.Deploy.Join;

/// <summary>A real hub process (TLS internal gRPC on loopback) for the install and SSH tests, with its REST API and a root web login.</summary>
internal sealed partial class JoinHubProcess : IAsyncDisposable
{
    public const string ApiToken = "Join-install-api-token-0123456789-ABCDEFGH";
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private JoinHubProcess(TempDirectory dir, MeshProcess process, Uri web, Uri grpc, string rootPassword)
    {
        Directory = dir;
        Process = process;
        WebUrl = web;
        GrpcUrl = grpc;
        RootPassword = rootPassword;
        Admin = new HttpClient { BaseAddress = web };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
    }

    public TempDirectory Directory { get; }

    public MeshProcess Process { get; }

    public Uri WebUrl { get; }

    public Uri GrpcUrl { get; }

    public string RootPassword { get; }

    public HttpClient Admin { get; }

    public static async Task<JoinHubProcess> StartAsync()
    {
        var dir = new TempDirectory();
        var config = dir.Write("hub.toml", $"""
            [server]
            listen = "127.0.0.1:0"
            data_dir = "hub-data"
            [internal_grpc]
            listen = "127.0.0.1:0"
            [internal_grpc.security]
            mode = "tls"
            cert_dir = "hub-certs"
            [admin]
            api_token = "{ApiToken}"
            """);
        var hub = MeshProcess.Start(["run", "--config", config], new Dictionary<string, string?> { ["MESH_NODE__LOCAL_LISTEN"] = "127.0.0.1:0" });
        var (web, grpc) = HubReadyLine.Parse(await hub.WaitForLineAsync(HubReadyLine.Prefix, Wait));
        var password = PasswordPattern().Match(await hub.WaitForTextAsync("one-time password", TimeSpan.FromSeconds(5))).Groups[1].Value;
        return new JoinHubProcess(dir, hub, web, grpc!, password);
    }

    public async Task<string> CreateTokenAsync(string nodeId)
    {
        var response = await Admin.PostAsync("/api/admin/join-tokens", new StringContent($$"""{"node_id":"{{nodeId}}"}""", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    public async Task WaitUntilOnlineAsync(string nodeId)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var nodes = JsonDocument.Parse(await Admin.GetStringAsync("/api/admin/agent-nodes")).RootElement.GetProperty("nodes");
            if (nodes.EnumerateArray().Any(n => n.GetProperty("id").GetString() == nodeId && n.GetProperty("status").GetString() == "online"))
                return;
            Assert.True(DateTime.UtcNow < deadline, $"node {nodeId} not online: {nodes}");
            await Task.Delay(200);
        }
    }

    public async Task<IReadOnlyList<JsonElement>> AuditAsync(string action) =>
        [.. JsonDocument.Parse(await Admin.GetStringAsync("/api/admin/audit?limit=1000")).RootElement.GetProperty("entries")
            .EnumerateArray().Where(e => e.GetProperty("action").GetString() == action)];

    public async Task<int> ActiveTokenCountAsync() =>
        JsonDocument.Parse(await Admin.GetStringAsync("/api/admin/join-tokens")).RootElement.GetProperty("tokens")
            .EnumerateArray().Count(t => t.GetProperty("status").GetString() == "active");

    /// <summary>Runs a program (argv, no shell) to completion: exit code, stdout, stderr.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        using var process = System.Diagnostics.Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Wait);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Process.DisposeAsync();
        Directory.Dispose();
    }

    [GeneratedRegex("one-time password ([A-Za-z0-9]+)")]
    private static partial Regex PasswordPattern();
}
