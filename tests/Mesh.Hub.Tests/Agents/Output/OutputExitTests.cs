using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Protocol;
using Mesh.Hub.Tests.Support;
using static Mesh.Hub.Tests.Agents.Output.OutputNode;

namespace Mesh.Hub.Tests.Agents.Output;

/// <summary>
/// The output view's last line is how the run ended: the SSE stream's "end" event carries the run's exit status as
/// plain text, waiting for it when the node's last output arrives before its status (they travel on different lanes).
/// A real in-process hub with a node session driven message by message.
/// </summary>
public sealed class OutputExitTests : IAsyncLifetime
{
    private TestHub _hub = null!;
    private OutputNode _node = null!;

    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync();
        _node = await AttachAsync(_hub, "node-a");
        await OutputBadInputTests.CreateAgentAsync(_hub, "writer", "node-a");
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _hub.DisposeAsync();
        _hub.Directory.Dispose();
    }

    private static AgentStatus Status(string runId, AgentExit? exit)
    {
        var started = DateTimeOffset.UtcNow.AddSeconds(-5);
        var run = new AgentRun { RunId = runId, AgentId = "writer", Pid = 4242, StartedAt = Timestamp.FromDateTimeOffset(started) };
        if (exit is not null)
        {
            run.EndedAt = Timestamp.FromDateTimeOffset(started.AddSeconds(4));
            run.Exit = exit;
        }

        return new AgentStatus { AgentId = "writer", State = exit is null ? "running" : "exited", Run = run, At = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) };
    }

    [Fact]
    public async Task End_OutputCompleteBeforeTheExitArrived_WaitsAndCarriesTheExitAsPlainText()
    {
        await _node.SendStatusAsync(1, Status("r-exit", exit: null));
        await _node.SendAllAsync("writer", "r-exit", "last words\n"u8.ToArray());

        await using var events = await SseEvents.OpenAsync(_hub.Admin, "/ui/agents/writer/runs/r-exit/output/stream");
        var chunk = await events.NextAsync();
        Assert.Equal(("chunk", "11"), (chunk.Type, chunk.Id));
        Assert.Equal("last words\n", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(chunk.Data)));

        // Markup from a node is text on this stream; the page adds it as a text node (never parsed as HTML).
        await _node.SendStatusAsync(2, Status("r-exit", new AgentExit { Reason = "exited", HasCode = true, Code = 3, Error = "<img src=x onerror=alert(1)>" }));
        var end = await events.NextAsync();
        Assert.Equal(("end", "exited, code 3: <img src=x onerror=alert(1)>", "11"), (end.Type, end.Data, end.Id));
    }

    [Fact]
    public async Task End_ReadAgainAfterTheRunEnded_CarriesTheSameExit_AndARunTheHubHasNoRecordOfJustEnds()
    {
        await _node.SendStatusAsync(1, Status("r-done", new AgentExit { Reason = "stopped", Signal = 15 }));
        await _node.SendAllAsync("writer", "r-done", "bye\n"u8.ToArray());
        // The agent has started another run since: the ended one's exit comes from the hub's records of runs.
        await _node.SendStatusAsync(2, Status("r-next", exit: null));
        await _node.SendAllAsync("writer", "r-unknown", "who\n"u8.ToArray());

        await using (var events = await SseEvents.OpenAsync(_hub.Admin, "/ui/agents/writer/runs/r-done/output/stream"))
        {
            Assert.Equal("chunk", (await events.NextAsync()).Type);
            Assert.Equal(("end", "stopped, signal 15 (SIGTERM)"), ((await events.NextAsync()) is var end ? (end.Type, end.Data) : default));
        }

        await using (var events = await SseEvents.OpenAsync(_hub.Admin, "/ui/agents/writer/runs/r-unknown/output/stream"))
        {
            Assert.Equal("chunk", (await events.NextAsync()).Type);
            Assert.Equal(("end", "end of output"), ((await events.NextAsync()) is var end ? (end.Type, end.Data) : default));
        }
    }

    /// <summary>Reads an SSE response event by event while it stays open.</summary>
    private sealed class SseEvents : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;
        private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

        private SseEvents(HttpResponseMessage response, StreamReader reader) => (_response, _reader) = (response, reader);

        public static async Task<SseEvents> OpenAsync(HttpClient client, string path)
        {
            var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            return new SseEvents(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        }

        public async Task<(string Type, string Data, string? Id)> NextAsync()
        {
            var (type, data, id) = ("message", new List<string>(), (string?)null);
            while (await _reader.ReadLineAsync(_timeout.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Count > 0)
                        return (type, string.Join('\n', data), id);
                    (type, id) = ("message", null); // a block without data (retry:, a comment) is no event
                    continue;
                }

                var field = line.Split(':', 2);
                var value = field.Length == 2 ? field[1].TrimStart(' ') : "";
                switch (field[0])
                {
                    case "event": type = value; break;
                    case "data": data.Add(value); break;
                    case "id": id = value; break;
                }
            }

            throw new EndOfStreamException("the stream closed before the next event");
        }

        public async ValueTask DisposeAsync()
        {
            _reader.Dispose();
            _response.Dispose();
            await _timeout.CancelAsync();
            _timeout.Dispose();
        }
    }
}
