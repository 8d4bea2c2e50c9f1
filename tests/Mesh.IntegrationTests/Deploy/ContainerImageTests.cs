using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Mesh.Core.Tests;

namespace Mesh.IntegrationTests.Deploy;

/// <summary>
/// deploy/container: the Containerfile agrees with the Kubernetes manifests and pulls nothing from a registry (always);
/// the image builds and its hub and node containers pass deploy/container/smoke.sh (test.sh installs podman, buildah,
/// runc and debootstrap; it needs root and about two minutes the first time, the base is cached in .mesh/container).
/// </summary>
public sealed partial class ContainerImageTests
{
    private static readonly string Container = Path.Combine(RepositoryPaths.Root, "deploy/container");
    private static readonly string Kubernetes = Path.Combine(RepositoryPaths.Root, "deploy/kubernetes");

    [Fact]
    public void Containerfile_BuildsFromScratchOnly_AsTheUserAndImageTheManifestsName()
    {
        var containerfile = File.ReadAllText(Path.Combine(Container, "Containerfile"));
        var stages = FromLine().Matches(containerfile).Select(m => m.Groups[1].Value).ToList();

        // No base image to pull: every stage starts from scratch (build.sh supplies the root file system).
        Assert.NotEmpty(stages);
        Assert.All(stages, image => Assert.Equal("scratch", image));
        Assert.Contains("\nUSER 10001:10001\n", containerfile, StringComparison.Ordinal);
        Assert.Contains("\nVOLUME /var/lib/mesh\n", containerfile, StringComparison.Ordinal);
        Assert.Contains("\nENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/usr/local/bin/mesh\"]\n", containerfile, StringComparison.Ordinal);
        Assert.Contains("\nCMD [\"run\", \"--config\", \"/etc/mesh/mesh.toml\"]\n", containerfile, StringComparison.Ordinal);

        foreach (var manifest in new[] { "hub.yaml", "node-daemonset.yaml" })
        {
            var text = File.ReadAllText(Path.Combine(Kubernetes, manifest));
            Assert.Contains("runAsUser: 10001", text, StringComparison.Ordinal);
            Assert.Contains("mountPath: /etc/mesh", text, StringComparison.Ordinal);
            Assert.Contains("/etc/mesh/mesh.toml", text, StringComparison.Ordinal);
        }

        // The image build.sh makes by default is the one the kustomization names.
        var build = File.ReadAllText(Path.Combine(Container, "build.sh"));
        var kustomization = File.ReadAllText(Path.Combine(Kubernetes, "kustomization.yaml"));
        Assert.Contains("image=${MESH_IMAGE:-localhost/mesh:dev}", build, StringComparison.Ordinal);
        Assert.Contains("newName: localhost/mesh\n    newTag: dev", kustomization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_Builds_AndItsHubAndNodeContainersPassTheSmokeTest()
    {
        // The caller of the test run holds the machine's build lock, if any: build.sh must not wait for it.
        var build = await RunAsync(Path.Combine(Container, "build.sh"), TimeSpan.FromMinutes(20), ("MESH_BUILD_LOCK", ""));
        Assert.True(build.Code == 0, build.Output);
        Assert.Matches(@"image localhost/mesh:dev localhost/mesh:\S+ id [0-9a-f]{12} size \d+ MiB", build.Output);

        var smoke = await RunAsync(Path.Combine(Container, "smoke.sh"), TimeSpan.FromMinutes(5));
        Assert.True(smoke.Code == 0, smoke.Output);
        Assert.Contains("smoke: GET /api/admin/agent-nodes: smoke-node-1 online", smoke.Output, StringComparison.Ordinal);
        Assert.Contains("smoke: node container without MESH_SERVER__NODE_ID: exit 2", smoke.Output, StringComparison.Ordinal);
        Assert.Contains("smoke: passed:", smoke.Output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunAsync(string script, TimeSpan timeout, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryPaths.Root };
        info.ArgumentList.Add(script);
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (output)
                return (-1, $"{script} did not finish within {timeout}:\n{output}");
        }

        lock (output)
            return (process.ExitCode, output.ToString());
    }

    [GeneratedRegex(@"^FROM\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex FromLine();
}
