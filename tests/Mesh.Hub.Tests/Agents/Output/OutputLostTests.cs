using System.Text;
using System.Text.Json;
using Mesh.Hub.Agents.Output;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Mesh.Hub.Tests.Agents.Output.OutputNode;

namespace Mesh.Hub.Tests.Agents.Output;

/// <summary>
/// The hub's copy of a stream set against its files: output it lost (its file deleted under it) is asked for again
/// with <c>resend</c> from what it still has; bytes written after its state was last saved (a crash) are kept; the
/// states are saved when the hub stops. A real in-process hub, its files under data_dir, restarted on the same folder.
/// </summary>
public sealed class OutputLostTests
{
    [Fact]
    public async Task A_file_deleted_under_the_hub_moves_its_end_back_and_the_next_chunk_is_answered_with_resend_from_there()
    {
        var hub = await TestHub.StartAsync();
        try
        {
            await using var node = await AttachAsync(hub, "node-a");
            await OutputBadInputTests.CreateAgentAsync(hub, "writer", "node-a");
            Assert.Equal(6, (await node.SendAsync(Chunk("writer", "r-lost", 0, "abcdef"u8))).Single().Position);
            File.Delete(Path.Combine(hub.Directory.Path, "hub-data", "output", "r-lost", "stdout"));

            var ack = (await node.SendAsync(Chunk("writer", "r-lost", 6, "gh"u8))).Single();
            Assert.Equal((0L, true), (ack.Position, ack.Resend));
            ack = (await node.SendAsync(Chunk("writer", "r-lost", 0, "abcdefgh"u8, complete: true))).Single();
            Assert.Equal((8L, false, true), (ack.Position, ack.Resend, ack.Complete));
            var files = hub.Services.GetRequiredService<OutputFiles>();
            Assert.Equal("abcdefgh", Encoding.ASCII.GetString((await files.ReadAsync("r-lost", "stdout", 0, 100, CancellationToken.None))!.Data));
        }
        finally
        {
            await hub.DisposeAsync();
            hub.Directory.Dispose();
        }
    }

    [Fact]
    public async Task States_are_saved_at_stop_and_bytes_written_after_the_last_save_count_after_a_restart()
    {
        var hub = await TestHub.StartAsync();
        var dir = hub.Directory;
        var meta = Path.Combine(dir.Path, "hub-data", "output", "r-crash", "stdout.json");
        try
        {
            await using (var node = await AttachAsync(hub, "node-a"))
            {
                await OutputBadInputTests.CreateAgentAsync(hub, "writer", "node-a");
                Assert.Equal(4, (await node.SendAsync(Chunk("writer", "r-crash", 0, "one\n"u8))).Single().Position);
                Assert.Equal(8, (await node.SendAsync(Chunk("writer", "r-crash", 4, "two\n"u8))).Single().Position);
            }

            await hub.DisposeAsync();
            Assert.Equal(8, JsonDocument.Parse(File.ReadAllText(meta)).RootElement.GetProperty("end").GetInt64());

            // As if the hub had died before saving: its state says less than its file has.
            File.WriteAllText(meta, """{"agentId":"writer","end":4,"droppedBefore":0,"complete":false}""");
            hub = await TestHub.StartAsync(reuse: dir);
            Assert.Equal(new OutputState("writer", 8, 0, false), hub.Services.GetRequiredService<OutputFiles>().State("r-crash", "stdout"));
            using var read = await hub.Admin.GetAsync("/api/admin/agents/writer/runs/r-crash/output?from=0");
            Assert.Equal("one\ntwo\n", await read.Content.ReadAsStringAsync());
        }
        finally
        {
            await hub.DisposeAsync();
            dir.Dispose();
        }
    }
}
