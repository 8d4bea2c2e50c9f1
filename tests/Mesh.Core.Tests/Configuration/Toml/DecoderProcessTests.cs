using System.Diagnostics;
using System.Text.Json;

namespace Mesh.Core.Tests.Configuration.Toml;

/// <summary>Runs the toml-test decoder (tools/TomlTestDecoder) as a real child process, the way toml-test drives it.</summary>
public sealed class DecoderProcessTests
{
    [Theory]
    [InlineData("valid/spec-example-1")]
    [InlineData("valid/string/multiline-quotes")]
    [InlineData("valid/datetime/milliseconds")]
    [InlineData("valid/float/inf-and-nan")]
    [InlineData("valid/newline-crlf")]
    public async Task Decoder_ValidDocument_WritesTaggedJsonAndExitsZero(string caseName)
    {
        Assert.True(DebianTomlTestSuite.IsInstalled, DebianTomlTestSuite.MissingMessage);
        var (exitCode, stdout, stderr) = await RunDecoderAsync(await File.ReadAllBytesAsync(DebianTomlTestSuite.FilePath(caseName, ".toml")));

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(DebianTomlTestSuite.FilePath(caseName, ".json")));
        using var actual = JsonDocument.Parse(stdout);
        Assert.Null(TaggedJsonComparer.Difference(expected.RootElement, actual.RootElement));
    }

    [Fact]
    public async Task Decoder_InvalidDocument_WritesDiagnosticAndExitsOne()
    {
        var (exitCode, stdout, stderr) = await RunDecoderAsync("a = 1\nb = = 2\n"u8.ToArray());

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("<input>(2,5): error: ", stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decoder_InvalidUtf8_ExitsOne()
    {
        var (exitCode, _, stderr) = await RunDecoderAsync([(byte)'a', (byte)'=', (byte)'"', 0xC3, (byte)'"']);

        Assert.Equal(1, exitCode);
        Assert.Equal("<input>: error: invalid UTF-8 (bad byte at offset 3)", stderr.Trim());
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunDecoderAsync(byte[] input)
    {
        var decoder = Path.Combine(AppContext.BaseDirectory, "toml-test-decoder.dll");
        Assert.True(File.Exists(decoder), $"decoder not built next to the tests: {decoder}");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(decoder);

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardInput.BaseStream.WriteAsync(input, timeout.Token);
        process.StandardInput.Close();
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
