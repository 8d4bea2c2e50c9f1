using System.Diagnostics;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.IntegrationTests.Deploy;

/// <summary>
/// deploy/kubernetes parses into the Kubernetes API models (Debian's python3-kubernetes) with every field known,
/// and the check is one that fails on a typo; deploy/systemd passes systemd-analyze verify with no warning.
/// </summary>
public sealed class ManifestTests : IDisposable
{
    private static readonly string Validator = Path.Combine(RepositoryPaths.Root, "tests/Mesh.IntegrationTests/Deploy/validate_manifests.py");
    private static readonly string Kubernetes = Path.Combine(RepositoryPaths.Root, "deploy/kubernetes");
    private static readonly string Systemd = Path.Combine(RepositoryPaths.Root, "deploy/systemd");
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KubernetesManifests_AreKnownToTheApiModels()
    {
        var (code, output) = await RunAsync("/usr/bin/python3", Validator, Kubernetes);

        Assert.True(code == 0, output);
        Assert.Contains("7 objects, 0 problem(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubernetesManifests_WithATypoOrAWrongType_AreRefusedByTheCheck()
    {
        var copy = Directory.CreateDirectory(Path.Combine(_dir.Path, "kubernetes")).FullName;
        foreach (var file in Directory.GetFiles(Kubernetes))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var daemonSet = Path.Combine(copy, "node-daemonset.yaml");
        File.WriteAllText(daemonSet, File.ReadAllText(daemonSet)
            .Replace("readinessProbe:", "readinesProbe:", StringComparison.Ordinal)
            .Replace("containerPort: 50052", "containerPort: \"health\"", StringComparison.Ordinal));

        var (code, output) = await RunAsync("/usr/bin/python3", Validator, copy);

        Assert.Equal(1, code);
        Assert.Contains("DaemonSet mesh-node.spec.template.spec.containers[0].readinesProbe: unknown field of V1Container", output, StringComparison.Ordinal);
        Assert.Contains("containerPort: expected int, got str", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubernetesConfigMap_IsAValidConfigurationForHubAndNode()
    {
        var config = Path.Combine(Kubernetes, "mesh.toml");
        var hub = await MeshProcess.RunWithAsync(["config", "check", "--config", config], new Dictionary<string, string?> { ["MESH_INTERNAL_GRPC__BOOTSTRAP__TOKEN"] = ClusterSecret });
        var node = await MeshProcess.RunWithAsync(["config", "check", "--node-mode", "--config", config], new Dictionary<string, string?> { ["MESH_SERVER__NODE_ID"] = "worker-1" });

        Assert.True(hub.ExitCode == 0, hub.Stdout + hub.Stderr);
        Assert.True(node.ExitCode == 0, node.Stdout + node.Stderr);
    }

    [Theory]
    [InlineData("mesh-hub.service")]
    [InlineData("mesh-node.service")]
    public async Task SystemdUnit_VerifiesWithoutAWarning(string unit)
    {
        var (code, output) = await VerifyAsync(File.ReadAllText(Path.Combine(Systemd, unit)), unit);

        Assert.True(code == 0 && output.Length == 0, output);
    }

    [Fact]
    public async Task SystemdUnit_WithAnUnknownKey_IsReported()
    {
        var unit = File.ReadAllText(Path.Combine(Systemd, "mesh-node.service")).Replace("KillMode=process", "KillMod=process", StringComparison.Ordinal);

        var (_, output) = await VerifyAsync(unit, "broken-node.service");

        Assert.Contains("Unknown key 'KillMod'", output, StringComparison.Ordinal);
    }

    [Fact]
    public void SystemdNodeUnit_LeavesAgentsRunningWhenTheNodeStops()
    {
        var unit = File.ReadAllText(Path.Combine(Systemd, "mesh-node.service"));

        Assert.Contains("\nKillMode=process\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nDelegate=yes\n", unit, StringComparison.Ordinal);
    }

    [Fact]
    public void LaunchdPlist_IsAPropertyList()
    {
        var plist = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryPaths.Root, "deploy/launchd/dev.mesh.node.plist"));

        var keys = plist.Descendants("key").Select(k => k.Value).ToList();
        Assert.Contains("ProgramArguments", keys);
        Assert.Contains("KeepAlive", keys);
        Assert.Contains("AbandonProcessGroup", keys);
    }

    internal const string ClusterSecret = "Kx9vQ2mT7wR4yU1iO8pA5sD3fG6hJ0kL-cluster";

    /// <summary>systemd-analyze verify of the unit as written, but for ExecStart pointing at an executable that exists here.</summary>
    private async Task<(int Code, string Output)> VerifyAsync(string unit, string name)
    {
        var path = _dir.Write(name, unit.Replace("/usr/local/bin/mesh", "/bin/true", StringComparison.Ordinal));
        return await RunAsync("systemd-analyze", "verify", path);
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
