using System.Net;
using System.Text;
using Mesh.Hub.Agents;
using Mesh.Hub.Agents.Output;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Mesh.Hub.Tests.Agents.Output.OutputNode;

namespace Mesh.Hub.Tests.Agents.Output;

/// <summary>
/// Output that is not text, Last-Event-ID that is not a position, a client that opens hundreds of streams and a node
/// that sends what it should not — against a real in-process hub (Kestrel, mTLS session, files under data_dir).
/// </summary>
public sealed class OutputBadInputTests : IAsyncLifetime
{
    private TestHub _hub = null!;
    private OutputNode _node = null!;

    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync();
        _node = await AttachAsync(_hub, "node-a");
        await CreateAgentAsync(_hub, "writer", "node-a");
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _hub.DisposeAsync();
        _hub.Directory.Dispose();
    }

    internal static Task CreateAgentAsync(TestHub hub, string id, string node) =>
        hub.Services.GetRequiredService<AgentService>().CreateAsync(new AgentRequest(Id: id, Placement: node, Command: ["true"]), "root", null, CancellationToken.None);

    /// <summary>Invalid UTF-8, NUL bytes, terminal title and hyperlink sequences, markup, then a 1 MB line with no newline.</summary>
    internal static byte[] HostileOutput()
    {
        var bytes = new List<byte>();
        bytes.AddRange([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, (byte)'\n']); // never valid UTF-8, and a cut-off character
        bytes.AddRange("nul:\0\0:nul\n"u8.ToArray());
        bytes.AddRange("\e]0;pwned title\a\e]8;;https://evil.example/\e\\click\e]8;;\e\\\n"u8.ToArray());
        bytes.AddRange("<script>alert(1)</script><img src=x onerror=alert(2)>&amp;\n"u8.ToArray());
        bytes.AddRange(Enumerable.Repeat((byte)'x', 1 << 20));
        return [.. bytes];
    }

    [Fact]
    public async Task Bytes_that_are_not_text_reach_the_download_and_the_sse_stream_exactly_and_never_as_markup()
    {
        var data = HostileOutput();
        var ack = await _node.SendAllAsync("writer", "r-hostile", data);
        Assert.Equal(data.Length, ack.Position);
        Assert.True(ack.Complete);

        using var download = await _hub.Admin.GetAsync("/api/admin/agents/writer/runs/r-hostile/output?stream=stdout&limit=16777216");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("true", download.Headers.GetValues("Mesh-Output-Complete").Single());

        var (status, events) = await ReadEventsAsync("/ui/agents/writer/runs/r-hostile/output/stream");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(data, events.Where(e => e.Type == "chunk").SelectMany(e => Convert.FromBase64String(e.Data)).ToArray());
        // The stream carries base64 and positions only: no byte of the output is ever markup on the wire.
        Assert.All(events, e => Assert.DoesNotContain('<', e.Data));
        Assert.Equal(("end", data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), (events[^1].Type, events[^1].Id));
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("garbage")]
    [InlineData("1e3")]
    [InlineData("99999999999999999999999")]
    public async Task Last_event_id_that_is_not_a_position_is_refused_with_400(string lastEventId)
    {
        await _node.SendAllAsync("writer", "r-ids", "hello\n"u8.ToArray());
        var (status, body) = await ReadEventsAsync("/ui/agents/writer/runs/r-ids/output/stream", lastEventId);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Last-Event-ID and from must be a position", body[0].Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Positions_beyond_the_end_or_negative()
    {
        await _node.SendAllAsync("writer", "r-end", "hello\n"u8.ToArray());
        // Beyond the end of a complete stream: no bytes, the end (at the stream's real end).
        var (status, events) = await ReadEventsAsync("/ui/agents/writer/runs/r-end/output/stream", "1000000");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([("end", "6")], events.Select(e => (e.Type, e.Id)));
        // The same for the download: an empty slice that says where the stream ends.
        using var beyond = await _hub.Admin.GetAsync("/api/admin/agents/writer/runs/r-end/output?from=1000000");
        Assert.Empty(await beyond.Content.ReadAsByteArrayAsync());
        Assert.Equal(("6", "6", "true"), (Header(beyond, "Mesh-Output-Start"), Header(beyond, "Mesh-Output-End"), Header(beyond, "Mesh-Output-Complete")));
        using var negative = await _hub.Admin.GetAsync("/api/admin/agents/writer/runs/r-end/output?from=-1");
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        var (fromStatus, _) = await ReadEventsAsync("/ui/agents/writer/runs/r-end/output/stream?from=-1");
        Assert.Equal(HttpStatusCode.BadRequest, fromStatus);
        // A valid Last-Event-ID in the middle resumes exactly there.
        var (_, middle) = await ReadEventsAsync("/ui/agents/writer/runs/r-end/output/stream", "2");
        Assert.Equal("llo\n", Encoding.ASCII.GetString(Convert.FromBase64String(middle.Single(e => e.Type == "chunk").Data)));
    }

    [Fact]
    public async Task A_client_opening_500_output_streams_gets_32_and_429s_and_its_places_come_back()
    {
        await _node.SendAsync(Chunk("writer", "r-live", 0, "live\n"u8)); // not complete: the streams stay open
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1000 };
        using var client = new HttpClient(handler) { BaseAddress = _hub.WebUrl, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = _hub.Admin.DefaultRequestHeaders.Authorization;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var responses = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ =>
            client.GetAsync("/ui/agents/writer/runs/r-live/output/stream", HttpCompletionOption.ResponseHeadersRead)));
        try
        {
            Assert.Equal(OutputStream.MaxStreamsPerUser, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
            Assert.All(refused, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
            Assert.All(refused, r => Assert.Equal("5", r.Headers.GetValues("Retry-After").Single()));
            Assert.Contains("32 output streams open already", await refused[0].Content.ReadAsStringAsync(), StringComparison.Ordinal);
            // Bounded: 500 attempts with 32 streams open hold little of the (shared, in-process) heap.
            var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
            Assert.True(grown < 64L << 20, $"the heap grew by {grown} bytes");
        }
        finally
        {
            foreach (var response in responses)
                response.Dispose();
        }

        // Closed streams give their places back (the hub notices when it next writes or wakes, within seconds).
        await _node.SendAsync(Chunk("writer", "r-live", 5, "more\n"u8));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpStatusCode again;
        do
        {
            using var retry = await client.GetAsync("/ui/agents/writer/runs/r-live/output/stream", HttpCompletionOption.ResponseHeadersRead);
            again = retry.StatusCode;
            if (again != HttpStatusCode.OK)
                await Task.Delay(200);
        }
        while (again != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, again);
    }

    [Fact]
    public async Task A_node_sending_a_run_it_does_not_own_or_positions_that_go_back_or_skip_is_refused_and_keeps_its_session()
    {
        await using var other = await AttachAsync(_hub, "node-b");
        await CreateAgentAsync(_hub, "theirs", "node-b");
        Assert.Equal(5, (await other.SendAsync(Chunk("theirs", "r-theirs", 0, "mine\n"u8))).Single().Position);

        // node-a names its own agent but another agent's run: refused, that run's bytes untouched.
        await _node.SendAsync(Chunk("writer", "r-theirs", 5, "forged\n"u8));
        // node-a names node-b's agent: refused (and audited).
        await _node.SendAsync(Chunk("theirs", "r-theirs", 5, "forged\n"u8));
        var files = _hub.Services.GetRequiredService<OutputFiles>();
        var slice = await files.ReadAsync("r-theirs", "stdout", 0, 100, CancellationToken.None);
        Assert.Equal("mine\n", Encoding.ASCII.GetString(slice!.Data));

        // Its own run: forward, back (stored once), a skip (refused; the ack says where to resend from), forward again.
        Assert.Equal(4, (await _node.SendAsync(Chunk("writer", "r-own", 0, "abcd"u8))).Single().Position);
        Assert.Equal((4L, false), (await _node.SendAsync(Chunk("writer", "r-own", 1, "bc"u8))).Single() is var back ? (back.Position, back.Resend) : default);
        Assert.Equal((4L, true), (await _node.SendAsync(Chunk("writer", "r-own", 9, "zz"u8))).Single() is var skip ? (skip.Position, skip.Resend) : default);
        Assert.Equal(6, (await _node.SendAsync(Chunk("writer", "r-own", 2, "cdef"u8))).Single().Position);
        Assert.Equal("abcdef", Encoding.ASCII.GetString((await files.ReadAsync("r-own", "stdout", 0, 100, CancellationToken.None))!.Data));
        // Several back-to-back chunks in one message (joined on the hub), one of them a resend: stored once, one ack.
        Assert.Equal(12, (await _node.SendAsync(Chunk("writer", "r-own", 4, "efg"u8), Chunk("writer", "r-own", 7, "hi"u8), Chunk("writer", "r-own", 9, "jkl"u8))).Single().Position);
        Assert.Equal("abcdefghijkl", Encoding.ASCII.GetString((await files.ReadAsync("r-own", "stdout", 0, 100, CancellationToken.None))!.Data));
        // A first chunk that does not start at 0 (nor says output was dropped) is refused as well.
        Assert.Equal(0, (await _node.SendAsync(Chunk("writer", "r-own", 6, "ghij"u8, stream: "stderr"))).Single().Position);
        Assert.Null(files.State("r-own", "stderr"));
        var audit = await _hub.Services.GetRequiredService<Mesh.Hub.Audit.IAuditLog>().ListAsync(100, null, CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "agent.event_refused" && e.Target == "theirs" && e.Actor == "node:node-a");
    }

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    /// <summary>An SSE response read to its end: the status and its events (or, for an error, its body as one event).</summary>
    private async Task<(HttpStatusCode Status, List<(string Type, string Data, string? Id)> Events)> ReadEventsAsync(string path, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _hub.Admin.SendAsync(request, timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        if (!response.IsSuccessStatusCode)
            return (response.StatusCode, [("error", body, null)]);
        var events = new List<(string, string, string?)>();
        foreach (var block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = block.Split('\n').Select(l => l.Split(':', 2)).Where(f => f.Length == 2).ToLookup(f => f[0], f => f[1].TrimStart(' '));
            events.Add((fields["event"].FirstOrDefault() ?? "message", string.Concat(fields["data"]), fields["id"].FirstOrDefault()));
        }

        return (response.StatusCode, events);
    }
}
