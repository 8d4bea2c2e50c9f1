using System.Diagnostics;
using Mesh.Hub.Nodes.Join;

namespace Mesh.Hub.Tests.Nodes.Join;

/// <summary>Every value the hub puts into a remote command line comes back unchanged from a real sh.</summary>
public sealed class ShellQuoteTests
{
    [Theory]
    [InlineData("plain-word_1.2:3")]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("it's")]
    [InlineData("'")]
    [InlineData("''\\'")]
    [InlineData("$(touch /tmp/mesh-shellquote-pwned)")]
    [InlineData("`id`; rm -rf / && echo $HOME | cat > x")]
    [InlineData("line1\nline2\ttab")]
    [InlineData("\"double\" and \\backslash\\ and * ? [a] ~ # !")]
    [InlineData("ünïcödé ✓")]
    public async Task Quote_ThroughARealShell_IsTheValue(string value)
    {
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("printf '%s' " + ShellQuote.Quote(value));
        using var sh = Process.Start(info)!;
        var output = await sh.StandardOutput.ReadToEndAsync();
        await sh.WaitForExitAsync();

        Assert.Equal(0, sh.ExitCode);
        Assert.Equal(value, output);
        Assert.False(File.Exists("/tmp/mesh-shellquote-pwned"));
    }

    [Fact]
    public void Quote_RefusesNul() => Assert.Throws<ArgumentException>(() => ShellQuote.Quote("a\0b"));

    [Fact]
    public async Task RemoteCommand_IsOneShWord_AndItsArgumentsArriveIntact()
    {
        // A hub address with a quote in it never passes the page's checks; here it shows that quoting holds anyway.
        var command = new JoinCommand("http://127.0.0.1:1", "https://h'x:2", "mtls");
        var text = command.RemoteCommand("node-'1", noService: true, root: "/tmp/a b");

        Assert.StartsWith("sh -c '", text, StringComparison.Ordinal);
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        // Replace the script's own sh -s with printing its arguments: what the install script would receive.
        info.ArgumentList.Add(text.Replace("$run sh -s --", "$run printf \"[%s]\" ", StringComparison.Ordinal).Replace("s=$(curl -fsSL", "s=$(printf x || curl -fsSL", StringComparison.Ordinal));
        info.RedirectStandardInput = true;
        using var sh = Process.Start(info)!;
        await sh.StandardInput.WriteAsync("mesh1.token\n");
        sh.StandardInput.Close();
        var output = await sh.StandardOutput.ReadToEndAsync();
        await sh.WaitForExitAsync();

        Assert.StartsWith("[--hub][https://h'x:2][--node-id][node-'1][--mode][mtls][--no-service][--background][--root][/tmp/a b][--token-file][/tmp/", output, StringComparison.Ordinal);
    }
}
