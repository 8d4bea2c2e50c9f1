using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Mesh.Cli;

/// <summary>
/// mesh agents list|get|start|stop|restart|kill|delete|scale|logs|input|attach: the hub's agents over its REST API, for operators and scripts.
/// The hub's address comes from --hub, $MESH_HUB_URL, else [server] listen of the configuration; the token from
/// --token, $MESH_API_TOKEN, else [admin] api_token of the configuration.
/// </summary>
internal sealed class AgentsCommand(GlobalOptions options, TextWriter output, TextWriter error)
{
    private readonly Option<string?> _hub = new("--hub") { Description = "The hub's web address, e.g. http://127.0.0.1:8080 (default: $MESH_HUB_URL, else [server] listen of --config)." };
    private readonly Option<string?> _token = new("--token") { Description = "An API token (default: $MESH_API_TOKEN, else [admin] api_token of --config)." };
    private readonly Option<bool> _json = new("--json") { Description = "Print the API's JSON instead of text." };

    public Command Create()
    {
        var agents = new Command("agents", "List and control the hub's agents (REST with an API token).");
        agents.Subcommands.Add(Verb("list", "List agents: id, node, state, restarts, last exit.", withId: false));
        agents.Subcommands.Add(Verb("get", "Show one agent: its spec and status.", withId: true));
        foreach (var (verb, text) in new[] { ("start", "Start it (also an agent that exited)."), ("stop", "Stop it: SIGTERM, then SIGKILL after its grace."), ("restart", "Restart its run."), ("kill", "SIGKILL it now; it stays stopped."), ("delete", "Delete it and its actor (its run is stopped).") })
            agents.Subcommands.Add(Verb(verb, text, withId: true));
        agents.Subcommands.Add(Scale());
        agents.Subcommands.Add(Logs());
        agents.Subcommands.Add(Input());
        agents.Subcommands.Add(Attach());
        return agents;
    }

    private Command Verb(string verb, string description, bool withId)
    {
        var command = new Command(verb, description);
        var id = new Argument<string>("id") { Description = "The agent's id." };
        if (withId)
            command.Arguments.Add(id);
        command.Options.Add(_hub);
        command.Options.Add(_token);
        command.Options.Add(_json);
        command.SetAction((result, ct) => RunAsync(verb, withId ? result.GetValue(id) : null, result, null, ct));
        return command;
    }

    private Command Scale()
    {
        var command = new Command("scale", "Run N copies of the agent: itself plus N - 1 named replicas (scale-down drains the newest, idle ones first).");
        var id = new Argument<string>("id") { Description = "The agent's id." };
        var replicas = new Argument<int>("replicas") { Description = "How many runs in all, 1 to the hub's [hub] max_replicas (default 100)." };
        command.Arguments.Add(id);
        command.Arguments.Add(replicas);
        command.Options.Add(_hub);
        command.Options.Add(_token);
        command.Options.Add(_json);
        command.SetAction((result, ct) => RunAsync("scale", result.GetValue(id), result,
            JsonSerializer.Serialize(new Dictionary<string, int> { ["replicas"] = result.GetValue(replicas) }), ct));
        return command;
    }

    private async Task<int> RunAsync(string verb, string? id, ParseResult result, string? json, CancellationToken cancellationToken)
    {
        if (!TryResolve(result, out var hub, out var token))
            return ExitCodes.Usage;
        using var http = new HttpClient { BaseAddress = hub, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var path = "/api/admin/agents" + (id is null ? "" : "/" + Uri.EscapeDataString(id));
        using var request = verb switch
        {
            "list" or "get" => new HttpRequestMessage(HttpMethod.Get, path),
            "delete" => new HttpRequestMessage(HttpMethod.Delete, path),
            _ => new HttpRequestMessage(HttpMethod.Post, path + "/" + verb),
        };
        if (json is not null)
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            error.WriteLine($"error: cannot reach the hub at {hub}: {ex.Message}");
            return ExitCodes.Failure;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"error: {(int)response.StatusCode} {Detail(body) ?? response.ReasonPhrase}");
                return response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? ExitCodes.Usage : ExitCodes.Failure;
            }

            if (result.GetValue(_json) || body.Length == 0)
            {
                output.WriteLine(body.Length == 0 ? $"{{\"deleted\":\"{id}\"}}" : body);
                return ExitCodes.Ok;
            }

            using var document = JsonDocument.Parse(body);
            if (verb == "list")
                AgentsText.Table(document.RootElement.GetProperty("agents"), output);
            else
                AgentsText.One(document.RootElement, output);
            return ExitCodes.Ok;
        }
    }

    private Command Logs()
    {
        var command = new Command("logs", "Print a run's output exactly once, by position (the latest run unless --run).");
        var id = new Argument<string>("id") { Description = "The agent's id." };
        var run = new Option<string?>("--run") { Description = "The run id (default: the agent's current or last run)." };
        var stream = new Option<string>("--stream") { Description = "stdout (default) or stderr.", DefaultValueFactory = _ => "stdout" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing as output arrives, until the run has ended and all of it is printed." };
        var from = new Option<long>("--from-position") { Description = "Start at this byte position of the stream (default 0)." };
        var tail = new Option<int?>("--tail") { Description = "Start with the last N lines the hub has (instead of --from-position)." };
        tail.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--tail must be 0 or more."); });
        stream.AcceptOnlyFromAmong("stdout", "stderr");
        command.Arguments.Add(id);
        foreach (var option in new Option[] { run, stream, follow, from, tail, _hub, _token })
            command.Options.Add(option);
        command.SetAction(async (result, ct) =>
        {
            if (!TryResolve(result, out var hub, out var token))
                return ExitCodes.Usage;
            using var http = new HttpClient { BaseAddress = hub, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await new AgentLogs(http, output, error).PrintAsync(result.GetValue(id)!, result.GetValue(run), result.GetValue(stream)!,
                result.GetValue(from), result.GetValue(follow), ct, result.GetValue(tail));
        });
        return command;
    }

    private Command Input()
    {
        var command = new Command("input", "Send a line (or stdin's bytes with '-') to the running run's stdin; the agent must be interactive or tty.");
        var id = new Argument<string>("id") { Description = "The agent's id." };
        var text = new Argument<string>("text") { Description = "The text to send (a newline is added unless --no-newline); '-' sends stdin's bytes as they are." };
        var run = new Option<string?>("--run") { Description = "Only if this is still the running run." };
        var noNewline = new Option<bool>("--no-newline") { Description = "Send the text without a newline after it." };
        command.Arguments.Add(id);
        command.Arguments.Add(text);
        foreach (var option in new Option[] { run, noNewline, _hub, _token })
            command.Options.Add(option);
        command.SetAction(async (result, ct) =>
        {
            if (!TryResolve(result, out var hub, out var token))
                return ExitCodes.Usage;
            using var http = Client(hub, token);
            var terminal = new AgentTerminal(http, output, error, result.GetValue(id)!, result.GetValue(run));
            var value = result.GetValue(text)!;
            return value == "-"
                ? await terminal.SendStreamAsync(Console.OpenStandardInput(), ct)
                : await terminal.SendAsync(System.Text.Encoding.UTF8.GetBytes(result.GetValue(noNewline) ? value : value + "\n"), ct);
        });
        return command;
    }

    private Command Attach()
    {
        var command = new Command("attach", "Attach this terminal to a tty agent's running terminal (raw keys, resize); Ctrl-] detaches and the run goes on.");
        var id = new Argument<string>("id") { Description = "The agent's id." };
        command.Arguments.Add(id);
        command.Options.Add(_hub);
        command.Options.Add(_token);
        command.SetAction(async (result, ct) =>
        {
            if (!TryResolve(result, out var hub, out var token))
                return ExitCodes.Usage;
            using var http = Client(hub, token);
            return await new AgentTerminal(http, output, error, result.GetValue(id)!, null).AttachAsync(ct);
        });
        return command;
    }

    private static HttpClient Client(Uri hub, string token)
    {
        var http = new HttpClient { BaseAddress = hub, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private bool TryResolve(ParseResult result, out Uri hub, out string token)
    {
        hub = null!;
        token = "";
        var hubText = result.GetValue(_hub) ?? Env("MESH_HUB_URL");
        var tokenText = result.GetValue(_token) ?? Env("MESH_API_TOKEN");
        var invocation = options.Read(result);
        if ((hubText is null || tokenText is null) && invocation.ConfigPath is not null)
        {
            if (!ConfigFile.TryLoad(invocation, error, out var config))
                return false;
            var listen = config.Server.Listen;
            var host = listen.Host is "0.0.0.0" or "::" or "[::]" ? "127.0.0.1" : listen.Host;
            hubText ??= $"{(config.Server.WebTls is null ? "http" : "https")}://{(host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host)}:{listen.Port}";
            tokenText ??= config.Admin.ApiToken?.Reveal();
        }

        if (hubText is null || !Uri.TryCreate(hubText, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            error.WriteLine("error: no hub address: give --hub http://HOST:PORT, set MESH_HUB_URL, or --config with the hub's configuration.");
            return false;
        }

        if (string.IsNullOrEmpty(tokenText))
        {
            error.WriteLine("error: no API token: give --token, set MESH_API_TOKEN (a token from the UI's Access page), or --config with [admin] api_token.");
            return false;
        }

        hub = uri;
        token = tokenText;
        return true;
    }

    private static string? Detail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
