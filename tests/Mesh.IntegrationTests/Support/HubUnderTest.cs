using System.Text.RegularExpressions;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;
using Mesh.Core.Readiness;

namespace Mesh.IntegrationTests.Support;

/// <summary>A real hub process on loopback (first start: the one-time root password is read from its stdout).</summary>
internal sealed partial class HubUnderTest : IAsyncDisposable
{
    private readonly List<MeshProcess> _nodes = [];

    private HubUnderTest(TempDirectory dir, MeshProcess hub, Uri web, string grpc, string rootPassword)
    {
        Directory = dir;
        Process = hub;
        WebUrl = web;
        GrpcUrl = grpc;
        RootPassword = rootPassword;
    }

    public TempDirectory Directory { get; }

    public MeshProcess Process { get; }

    public Uri WebUrl { get; }

    public string GrpcUrl { get; }

    public string RootPassword { get; }

    /// <param name="extraToml">More sections for hub.toml (e.g. <c>[metrics]</c>).</param>
    public static async Task<HubUnderTest> StartAsync(string extraToml = "")
    {
        var dir = new TempDirectory();
        var config = dir.Write("hub.toml", """
            [server]
            listen = "127.0.0.1:0"
            data_dir = "hub-data"
            [internal_grpc]
            listen = "127.0.0.1:0"
            [internal_grpc.security]
            mode = "mtls"
            cert_dir = "hub-certs"
            """ + "\n" + extraToml);
        var hub = MeshProcess.Start(["run", "--config", config]);
        var ready = await hub.WaitForLineAsync("mesh hub ready:", TimeSpan.FromSeconds(90));
        var passwordLine = await hub.WaitForTextAsync("one-time password", TimeSpan.FromSeconds(5));
        var password = PasswordPattern().Match(passwordLine).Groups[1].Value;
        var (web, grpc) = HubReadyLine.Parse(ready);
        return new HubUnderTest(dir, hub, web, grpc!.GetLeftPart(UriPartial.Authority), password);
    }

    /// <summary>
    /// Starts a node process with the configuration the join page showed, saved as <c>mesh.toml</c> in a folder of its
    /// own (the snippet's <c>data_dir</c> is relative to it, as on a real machine).
    /// </summary>
    public async Task<MeshProcess> StartNodeAsync(string nodeId, string snippet)
    {
        var folder = System.IO.Directory.CreateDirectory(Path.Combine(Directory.Path, nodeId)).FullName;
        var config = Path.Combine(folder, "mesh.toml");
        await File.WriteAllTextAsync(config, snippet);
        // The snippet's local mailbox endpoint defaults to 127.0.0.1:50055; test classes run side by side, so each
        // node takes a free port instead (as a second machine would have 50055 to itself).
        var node = MeshProcess.Start(["run", "--config", config], new Dictionary<string, string?> { ["MESH_NODE__LOCAL_LISTEN"] = "127.0.0.1:0" });
        _nodes.Add(node);
        await node.WaitForLineAsync("mesh node ready:", TimeSpan.FromSeconds(60));
        return node;
    }

    /// <summary>Creates a join token for <paramref name="nodeId"/> on the Join page and starts a node with the configuration it shows.</summary>
    public async Task<MeshProcess> JoinNodeFromPageAsync(Microsoft.Playwright.IPage page, string nodeId)
    {
        await page.GotoAsync("/join");
        await page.FillAsync("#node_id", nodeId);
        await page.ClickAsync("#create-token");
        return await StartNodeAsync(nodeId, (await page.TextContentAsync("#node-config"))!);
    }

    /// <summary>Root (logged in on <paramref name="page"/>) creates a viewer account on the Access page.</summary>
    public static async Task CreateViewerAsync(Microsoft.Playwright.IPage page, string name, string password)
    {
        await page.GotoAsync("/access");
        await page.FillAsync("#viewer-name", name);
        await page.FillAsync("#viewer-password", password);
        await page.ClickAsync("form[action='/access?handler=CreateViewer'] button");
        await page.WaitForSelectorAsync("#access-message:has-text('created')");
    }

    /// <summary>Logs <paramref name="page"/> in through the login form and waits for the nodes page.</summary>
    public static async Task LoginAsync(Microsoft.Playwright.IPage page, string user, string password)
    {
        await page.GotoAsync("/login");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("h1:text('Nodes')");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
            await node.DisposeAsync();
        await Process.DisposeAsync();
        Directory.Dispose();
    }

    [GeneratedRegex("one-time password ([A-Za-z0-9]+)")]
    private static partial Regex PasswordPattern();
}
