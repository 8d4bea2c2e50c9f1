using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Cli;

public sealed class ConfigCheckCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepositoryPaths.ConfigSamples, "*.toml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task ConfigCheck_Sample_ExitsZeroWithSummary(string sample)
    {
        var path = Path.Combine("config-samples", sample);

        var (code, stdout, stderr) = await MeshProcess.RunAsync("config", "check", "--config", path);

        Assert.True(code == 0, stderr);
        Assert.StartsWith($"{path}: ok (role ", stdout, StringComparison.Ordinal);
        Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task ConfigCheck_BrokenFile_ListsEveryProblemWithPositionAndExitsTwo()
    {
        var path = _dir.Write("broken.toml", "[server]\nrole = \"hbu\"\nlisen = \"0.0.0.0:8080\"\n[internal_grpc.auth]\nshared_secret = \"tooshort\"\n");

        var (code, stdout, stderr) = await MeshProcess.RunAsync("config", "check", "--config", path);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains($"{path}(2,8): error: server.role: unknown role 'hbu'. Did you mean 'hub'?", stderr, StringComparison.Ordinal);
        Assert.Contains($"{path}(3,1): error: server.lisen: unknown key 'lisen' in [server]. Did you mean 'listen'?", stderr, StringComparison.Ordinal);
        Assert.Contains($"{path}(5,17): error: internal_grpc.auth.shared_secret:", stderr, StringComparison.Ordinal);
        Assert.Contains("3 problem(s) in", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public async Task ConfigCheck_MalformedToml_NamesLineAndColumn()
    {
        var path = _dir.Write("bad.toml", "[server]\nrole = \"hub\"\n[server\n");

        var (code, _, stderr) = await MeshProcess.RunAsync("config", "check", "--config", path);

        Assert.Equal(2, code);
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(path)}\(3,\d+\): error: ", stderr);
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public async Task ConfigCheck_MissingFile_ExitsTwoWithAdvice()
    {
        var (code, _, stderr) = await MeshProcess.RunAsync("config", "check", "--config", "/nonexistent/mesh.toml");

        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/mesh.toml: error: configuration file not found", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public async Task ConfigCheck_NoConfigAnywhere_ExitsTwo()
    {
        var (code, _, stderr) = await MeshProcess.RunAsync("config", "check");

        Assert.Equal(2, code);
        Assert.Contains("Pass --config PATH or set MESH_CONFIG", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_UnreadableFile_ExitsTwo()
    {
        var path = _dir.Write("secret.toml", "[server]\nrole = \"hub\"\n");
        File.SetUnixFileMode(path, UnixFileMode.None);
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0b111_101_101);

        // As root every file is readable, so run the check as an unprivileged user when we are root.
        var asRoot = Environment.UserName == "root";
        var (code, stderr) = asRoot ? await RunAsNobodyAsync(path) : await RunSelfAsync(path);

        Assert.Equal(2, code);
        Assert.Contains("is not readable by this user", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public async Task UnknownOption_ExitsTwoWithUsageHint()
    {
        var (code, _, stderr) = await MeshProcess.RunAsync("config", "check", "--confgi", "x");

        Assert.Equal(2, code);
        Assert.Contains("Run 'mesh --help' for usage.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var (code, stdout, _) = await MeshProcess.RunAsync("version");

        Assert.Equal(0, code);
        Assert.Matches(@"^mesh \d+\.\d+\.\d+", stdout);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("run", "--help")]
    [InlineData("config", "check", "--help")]
    public async Task Help_IsAvailableEverywhere(params string[] args)
    {
        var (code, stdout, _) = await MeshProcess.RunAsync(args);

        Assert.Equal(0, code);
        Assert.Contains("--config", stdout, StringComparison.Ordinal);
        Assert.Contains("--log-format", stdout, StringComparison.Ordinal);
    }

    internal static void AssertNoStackTrace(string text)
    {
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    private static async Task<(int, string)> RunSelfAsync(string path)
    {
        var (code, _, stderr) = await MeshProcess.RunAsync("config", "check", "--config", path);
        return (code, stderr);
    }

    private static async Task<(int, string)> RunAsNobodyAsync(string path)
    {
        var info = new System.Diagnostics.ProcessStartInfo("setpriv")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "--", "dotnet", MeshProcess.MeshDll, "config", "check", "--config", path })
            info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_HOME"] = "/tmp";
        info.Environment["HOME"] = "/tmp";
        using var process = System.Diagnostics.Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stderr);
    }
}
