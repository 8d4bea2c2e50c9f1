using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Mesh.Core.Tests;

namespace Mesh.Hub.Tests.Metrics;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>, /usr/bin/prometheus) on a free loopback port, scraping one target
/// every second with a bearer token from a file, optionally loading rule files; queried through its HTTP API.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";
    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;

    private PrometheusServer(TempDirectory directory, Process process, Uri url)
    {
        _directory = directory;
        _process = process;
        Url = url;
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Url { get; }

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static Task<PrometheusServer> StartAsync(Uri target, string bearerToken, params string[] ruleFiles) =>
        StartAsync("mesh-hub", target, bearerToken, ruleFiles);

    /// <summary>Scrapes <paramref name="target"/>'s /metrics as job <paramref name="job"/>.</summary>
    public static async Task<PrometheusServer> StartAsync(string job, Uri target, string bearerToken, params string[] ruleFiles)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: apt-get install prometheus (test.sh installs it)");
        var directory = new TempDirectory();
        var tokenFile = directory.Write("token", bearerToken);
        var rules = ruleFiles.Length == 0 ? "" : "rule_files:\n" + string.Concat(ruleFiles.Select(f => $"  - '{f}'\n"));
        var config = directory.Write("prometheus.yml", $"""
            global:
              scrape_interval: 3s
              scrape_timeout: 3s
              evaluation_interval: 1s
            {rules}
            scrape_configs:
              - job_name: {job}
                metrics_path: /metrics
                scheme: {target.Scheme}
                authorization:
                  type: Bearer
                  credentials_file: '{tokenFile}'
                static_configs:
                  - targets: ['{target.Authority}']
            """);
        var port = FreePort();
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(directory.Path, "data"),
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var server = new PrometheusServer(directory, process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>
    /// Runs an instant query until <paramref name="condition"/> holds for its result array, within 60 s (the scrape
    /// timeout is 3 s: on a loaded 2-core machine a /metrics answer took over the 1 s it was and every scrape failed).
    /// </summary>
    public async Task<JsonElement> QueryUntilAsync(string query, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement result = default;
        while (DateTime.UtcNow < deadline)
        {
            result = (await GetDataAsync("/api/v1/query?query=" + Uri.EscapeDataString(query))).GetProperty("result");
            if (condition(result))
                return result;
            await Task.Delay(250);
        }

        throw new TimeoutException($"Prometheus query {query}: condition not met within 60 s; last result {result}; log:\n{Output}");
    }

    /// <summary>The data of a Prometheus API answer (status "success" asserted).</summary>
    public async Task<JsonElement> GetDataAsync(string pathAndQuery)
    {
        var body = await _http.GetStringAsync(pathAndQuery);
        var root = JsonDocument.Parse(body).RootElement;
        Assert.True(root.GetProperty("status").GetString() == "success", body);
        return root.GetProperty("data").Clone();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, "prometheus exited at start:\n" + Output);
            try
            {
                if ((await _http.GetAsync("/-/ready")).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("prometheus was not ready within 30 s:\n" + Output);
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
