using System.Text;
using Mesh.Hub.Agents.Output;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Mesh.Hub.Tests.Agents.Output.OutputBadInputTests;

namespace Mesh.Hub.Tests.Agents.Output;

/// <summary>The hub's caps on relayed output ([hub] output_limit_per_run, output_limit_total), against a real hub and its files.</summary>
public sealed class OutputLimitsTests
{
    private const string Limits = "[hub]\noutput_limit_per_run = 262144\noutput_limit_total = 1048576";

    [Fact]
    public async Task A_stream_keeps_its_last_bytes_and_readers_are_told_where_output_was_dropped()
    {
        var hub = await TestHub.StartAsync(extraToml: Limits);
        try
        {
            await using var node = await OutputNode.AttachAsync(hub, "node-a");
            await CreateAgentAsync(hub, "writer", "node-a");
            var data = Numbered(700_000);
            Assert.Equal(data.Length, (await node.SendAllAsync("writer", "r1", data)).Position);

            var state = hub.Services.GetRequiredService<OutputFiles>().State("r1", "stdout")!;
            Assert.Equal(data.Length, state.End);
            Assert.InRange(state.End - state.DroppedBefore, 1, 262144);
            Assert.Equal(0, state.DroppedBefore % 4096);
            // On disk the file keeps its size (positions) but not the dropped bytes (a hole).
            var path = Path.Combine(hub.Config.Server.DataDir, "output", "r1", "stdout");
            Assert.Equal(data.Length, new FileInfo(path).Length);
            Assert.True(AllocatedBytes(path) <= 262144 + 8192, $"{AllocatedBytes(path)} bytes allocated");

            using var read = await hub.Admin.GetAsync("/api/admin/agents/writer/runs/r1/output?from=0&limit=16777216");
            Assert.Equal(state.DroppedBefore.ToString(System.Globalization.CultureInfo.InvariantCulture), read.Headers.GetValues("Mesh-Output-Start").Single());
            Assert.Equal(data.AsSpan((int)state.DroppedBefore).ToArray(), await read.Content.ReadAsByteArrayAsync());
            var sse = await hub.Admin.GetStringAsync("/ui/agents/writer/runs/r1/output/stream");
            var firstEvent = sse.Split("\n\n")[0];
            Assert.Contains("event: dropped", firstEvent, StringComparison.Ordinal);
            Assert.Contains($"data: {state.DroppedBefore}", firstEvent, StringComparison.Ordinal);
        }
        finally
        {
            await hub.DisposeAsync();
            hub.Directory.Dispose();
        }
    }

    [Fact]
    public async Task All_runs_together_stay_under_the_total_the_runs_written_to_longest_ago_go_first_also_after_a_restart()
    {
        var hub = await TestHub.StartAsync(extraToml: Limits);
        var dir = hub.Directory;
        try
        {
            await using (var node = await OutputNode.AttachAsync(hub, "node-a"))
            {
                await CreateAgentAsync(hub, "writer", "node-a");
                for (var run = 1; run <= 6; run++)
                    await node.SendAllAsync("writer", $"r{run}", Numbered(200_000));
            }

            var files = hub.Services.GetRequiredService<OutputFiles>();
            Assert.InRange(files.KeptBytes, 1, 1048576);
            var first = files.State("r1", "stdout")!;
            Assert.Equal(first.End, first.DroppedBefore); // all of the oldest run is gone, its end still known
            var last = files.State("r6", "stdout")!;
            Assert.Equal(0, last.DroppedBefore);
            using var gone = await hub.Admin.GetAsync("/api/admin/agents/writer/runs/r1/output?from=0");
            Assert.Empty(await gone.Content.ReadAsByteArrayAsync());
            Assert.Equal(("200000", "true"), (gone.Headers.GetValues("Mesh-Output-Dropped-Before").Single(), gone.Headers.GetValues("Mesh-Output-Complete").Single()));
            var kept = files.KeptBytes;

            await hub.DisposeAsync();
            hub = await TestHub.StartAsync(extraToml: Limits, reuse: dir);
            Assert.Equal(kept, hub.Services.GetRequiredService<OutputFiles>().KeptBytes);
            Assert.Equal(Numbered(200_000), await (await hub.Admin.GetAsync("/api/admin/agents/writer/runs/r6/output?from=0")).Content.ReadAsByteArrayAsync());
        }
        finally
        {
            await hub.DisposeAsync();
            dir.Dispose();
        }
    }

    /// <summary>Numbered lines, exactly <paramref name="length"/> bytes.</summary>
    private static byte[] Numbered(int length)
    {
        var text = new StringBuilder();
        for (var i = 1; text.Length < length; i++)
            text.Append(i).Append('\n');
        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    private static long AllocatedBytes(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true })!;
        var parts = stat.StandardOutput.ReadToEnd().Split(' ');
        stat.WaitForExit();
        return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
