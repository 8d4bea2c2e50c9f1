using System.Net;
using Mesh.IntegrationTests.Agents;
using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>
/// Terminals and input on the agent page in Debian's chromium against a real mesh: bash in a pseudo-terminal on a
/// node shown by xterm.js, typed into, watched by a second browser, resized; ANSI colours in the output view rendered
/// as spans while titles, hyperlinks and markup from the process stay inert; a line sent to an interactive run.
/// </summary>
public sealed class AgentTerminalUiTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    private static readonly LocatorAssertionsToContainTextOptions Soon = new() { Timeout = 20_000 };

    [Fact]
    public async Task A_tty_run_shows_a_prompt_takes_keys_is_seen_by_a_second_browser_and_resizes()
    {
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (page, screen) = await OpenBashAsync(browser, "ui-term", "\"stop_grace_seconds\":1", consoleErrors);

        await page.Locator("#run-terminal .terminal-box").ClickAsync();
        await page.Keyboard.TypeAsync("echo hi $((6*7))");
        await page.Keyboard.PressAsync("Enter");
        await Expect(screen).ToContainTextAsync("hi 42", Soon);

        // The size the page's terminal has is the run's: bash reports it.
        var cols = await page.EvaluateAsync<int>("() => window.meshTerminal.cols");
        await page.WaitForFunctionAsync($"() => (document.getElementById('run-terminal').dataset.sizeSent || '').startsWith('{cols}x')");
        await page.Keyboard.TypeAsync("echo cols=$(tput cols)");
        await page.Keyboard.PressAsync("Enter");
        await Expect(screen).ToContainTextAsync($"cols={cols}", Soon);

        // A second operator sees the same screen (replayed from position 0), live.
        var (_, second) = await AgentsUiTests.OpenAsRootAsync(browser, cluster, consoleErrors);
        await second.GotoAsync("/agents/ui-term");
        await Expect(second.Locator("#run-terminal .xterm-rows")).ToContainTextAsync("hi 42", Soon);
        await page.Keyboard.TypeAsync("echo from-first");
        await page.Keyboard.PressAsync("Enter");
        await Expect(second.Locator("#run-terminal .xterm-rows")).ToContainTextAsync("from-first", Soon);

        // A narrower window: the terminal refits, the run's terminal follows.
        await page.SetViewportSizeAsync(640, 700);
        await page.WaitForFunctionAsync($"() => window.meshTerminal.cols !== {cols}");
        var narrower = await page.EvaluateAsync<int>("() => window.meshTerminal.cols");
        await page.WaitForFunctionAsync($"() => (document.getElementById('run-terminal').dataset.sizeSent || '').startsWith('{narrower}x')");
        await page.Locator("#run-terminal .terminal-box").ClickAsync();
        await page.Keyboard.TypeAsync("echo now=$(tput cols)");
        await page.Keyboard.PressAsync("Enter");
        await Expect(screen).ToContainTextAsync($"now={narrower}", Soon);
        await Browser.ScreenshotAsync(page, "agents-terminal");

        // Closing both pages does not end the run.
        await page.CloseAsync();
        await second.CloseAsync();
        await Task.Delay(500);
        Assert.Equal("running", AgentCluster.State((await cluster.AgentAsync("ui-term")).GetProperty("status")));
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task A_tty_runs_terminal_ends_with_how_the_run_ended_live_and_after_reload()
    {
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (page, screen) = await OpenBashAsync(browser, "ui-term-exit", "\"restart_policy\":\"never\"", consoleErrors);

        // The run ends while the page watches: the terminal's last line says how.
        await page.Locator("#run-terminal .terminal-box").ClickAsync();
        await page.Keyboard.TypeAsync("exit 3");
        await page.Keyboard.PressAsync("Enter");
        await Expect(screen).ToContainTextAsync("— exited, code 3 —", Soon);
        await cluster.WaitForAgentAsync("ui-term-exit", s => AgentCluster.State(s) != "running");

        // A new visit replays the screen from position 0 and ends with the same line, once.
        await page.ReloadAsync();
        await Expect(screen).ToContainTextAsync("— exited, code 3 —", Soon);
        var text = await screen.InnerTextAsync();
        Assert.Contains("mesh$ exit 3", text, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "exited, code 3"));
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task Output_colours_become_spans_escapes_and_markup_stay_inert_and_a_line_reaches_stdin()
    {
        const string Script = """printf '\033[31mred\033[0m plain \033[1;38;5;33mblue\033[0m \033]0;evil-title\007\033]8;;https://evil.example/\033\\link\033]8;;\033\\ <b id=injected>bold</b>\n'; while read l; do echo "got $l"; done""";
        var json = System.Text.Json.JsonSerializer.Serialize(new { id = "ui-colours", placement = "n1", interactive = true, command = new[] { "sh", "-c", Script } });
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", json);
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        await cluster.WaitForAgentAsync("ui-colours", s => AgentCluster.State(s) == "running");

        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await AgentsUiTests.OpenAsRootAsync(browser, cluster, consoleErrors);
        await page.GotoAsync("/agents/ui-colours");
        var output = page.Locator("#run-output pre");
        await Expect(output).ToContainTextAsync("red plain blue link <b id=injected>bold</b>", Soon);
        await Expect(output.Locator("span.ansi-fg-1")).ToHaveTextAsync("red");
        await Expect(output.Locator("span.ansi-bold")).ToHaveTextAsync("blue");
        Assert.Equal("rgb(0, 135, 255)", await output.Locator("span.ansi-bold").EvaluateAsync<string>("e => getComputedStyle(e).color"));
        Assert.Equal(0, await page.Locator("#injected").CountAsync());
        Assert.Equal(0, await output.Locator("a").CountAsync());
        Assert.DoesNotContain("evil", await page.TitleAsync(), StringComparison.Ordinal);

        await page.FillAsync("#agent-input-text", "hello <i>there</i>");
        await page.ClickAsync("#agent-input-send");
        await page.WaitForURLAsync("**/agents/ui-colours?done=input");
        await Expect(page.Locator("#run-output pre")).ToContainTextAsync("got hello <i>there</i>", Soon);

        // The download is the stream's bytes as the run wrote them, escapes included.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#output-download"));
        var file = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("\u001b[31mred\u001b[0m plain", file, StringComparison.Ordinal);
        Assert.EndsWith("got hello <i>there</i>\n", file, StringComparison.Ordinal);
        Assert.EndsWith("-stdout.log", download.SuggestedFilename, StringComparison.Ordinal);
        Assert.Empty(consoleErrors);
    }

    /// <summary>Creates a tty agent running an interactive bash (prompt "mesh$ ") and opens its page as root once the prompt shows.</summary>
    private async Task<(IPage Page, ILocator Screen)> OpenBashAsync(Browser browser, string id, string extraJson, List<string> consoleErrors)
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"{{id}}","placement":"n1","tty":true,{{extraJson}},"environment":{"PS1":"mesh$ "},"command":["bash","--norc","--noprofile","-i"]}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        await cluster.WaitForAgentAsync(id, s => AgentCluster.State(s) == "running");
        var (_, page) = await AgentsUiTests.OpenAsRootAsync(browser, cluster, consoleErrors);
        await page.GotoAsync("/agents/" + id);
        var screen = page.Locator("#run-terminal .xterm-rows");
        await Expect(screen).ToContainTextAsync("mesh$", Soon);
        return (page, screen);
    }
}
