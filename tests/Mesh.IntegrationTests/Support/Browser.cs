using Microsoft.Playwright;

namespace Mesh.IntegrationTests.Support;

/// <summary>Headless Debian chromium driven by Playwright (no browser download), screenshots under the test output.</summary>
internal sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Instance = browser;
    }

    public IBrowser Instance { get; }

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task<Browser> LaunchAsync()
    {
        const string chromium = "/usr/bin/chromium";
        if (!File.Exists(chromium))
            throw new InvalidOperationException("Debian's chromium is required: apt-get install -y chromium (test.sh installs it)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new Browser(playwright, browser);
    }

    /// <summary>A desktop-sized context on <paramref name="baseUrl"/> and its first page; browser console errors go to <paramref name="consoleErrors"/>.</summary>
    public async Task<(IBrowserContext Context, IPage Page)> OpenPageAsync(Uri baseUrl, List<string> consoleErrors)
    {
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (consoleErrors)
                    consoleErrors.Add(message.Text);
            }
        };
        return (context, page);
    }

    /// <summary>
    /// Waits (10 s at most) until the browser has reported the error a test provoked on purpose — it arrives on its own
    /// schedule, after the response — and forgets it, so the test's final "no console errors" means the others.
    /// </summary>
    public static async Task ForgetExpectedErrorAsync(List<string> consoleErrors, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Contains() && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.True(Contains(), $"the browser never reported '{text}'");
        lock (consoleErrors)
            consoleErrors.RemoveAll(e => e.Contains(text, StringComparison.Ordinal));

        bool Contains()
        {
            lock (consoleErrors)
                return consoleErrors.Any(e => e.Contains(text, StringComparison.Ordinal));
        }
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true, Caret = ScreenshotCaret.Initial });
    }

    public async ValueTask DisposeAsync()
    {
        await Instance.DisposeAsync();
        _playwright.Dispose();
    }
}
