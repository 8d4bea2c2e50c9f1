using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Protocol;
using Mesh.Hub.Agents;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

public abstract class AgentRecordStoreContract : StoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected IAgentRecordStore Store { get; set; } = null!;

    private AgentDefinition Definition(string suffix, string node = "node-1") => new()
    {
        Id = $"{Unique}-{suffix}",
        Name = "Agent " + suffix,
        NodeId = node,
        Placement = "auto",
        Command = ["/usr/bin/env", "python3", "agent.py"],
        Environment = new Dictionary<string, string> { ["MODE"] = "fast" },
        Capabilities = ["gpu"],
        MemoryMaxBytes = 1L << 30,
    };

    // Run ids are unique across agents (the class's tests share one database), hence the prefix.
    private AgentStatus Status(string agentId, string runId, DateTimeOffset started) => new()
    {
        AgentId = agentId,
        Run = new AgentRun { RunId = Unique + runId, StartedAt = Timestamp.FromDateTimeOffset(started) },
    };

    private async Task<(List<AgentDefinition> Definitions, List<AgentStatus> Statuses)> MineAsync()
    {
        var (definitions, statuses) = await Store.LoadAsync(None);
        return (definitions.Where(d => d.Id.StartsWith(Unique, StringComparison.Ordinal)).OrderBy(d => d.Id, StringComparer.Ordinal).ToList(),
            statuses.Where(s => s.AgentId.StartsWith(Unique, StringComparison.Ordinal)).OrderBy(s => s.AgentId, StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task Save_ThenLoad_RoundTripsTheDefinition_AndSavingAgainReplacesIt()
    {
        var first = Definition("a");
        await Store.SaveAsync(first, None);
        await Store.SaveAsync(Definition("b"), None);
        var moved = first with { NodeId = "node-2" };

        await Store.SaveAsync(moved, None);

        var (definitions, _) = await MineAsync();
        Assert.Equal(2, definitions.Count);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(moved, AgentStore.Json), System.Text.Json.JsonSerializer.Serialize(definitions[0], AgentStore.Json));
        Assert.Equal("node-1", definitions[1].NodeId);
    }

    [Fact]
    public async Task Record_StoresStatusesRunsAndTheCursor_InOneGo()
    {
        var agent = Definition("r").Id;
        Assert.Equal(0UL, await Store.CursorAsync("node-1", Unique, None));

        await Store.RecordAsync("node-1", Unique, [Status(agent, "run-1", T0)], 7, None);
        await Store.RecordAsync("node-1", Unique, [Status(agent, "run-2", T0.AddMinutes(1))], 9, None);

        Assert.Equal(9UL, await Store.CursorAsync("node-1", Unique, None));
        Assert.Equal(0UL, await Store.CursorAsync("node-1", Unique + "-other-epoch", None));
        var (_, statuses) = await MineAsync();
        Assert.Equal([Status(agent, "run-2", T0.AddMinutes(1))], statuses);
        Assert.Equal(["run-2", "run-1"], (await Store.RunsAsync(agent, 10, None)).Select(r => r.RunId[Unique.Length..]));
    }

    [Fact]
    public async Task Record_SameRunAgain_ReplacesIt()
    {
        var agent = Definition("same").Id;
        await Store.RecordAsync("node-1", Unique, [Status(agent, "run-1", T0)], 1, None);
        var finished = Status(agent, "run-1", T0);
        finished.Run.EndedAt = Timestamp.FromDateTimeOffset(T0.AddMinutes(2));
        finished.Run.Exit = new AgentExit { Code = 3, HasCode = true, Reason = "exited", LastLines = { "bye" } };

        await Store.RecordAsync("node-1", Unique, [finished], 2, None);

        Assert.Equal([finished.Run], await Store.RunsAsync(agent, 10, None));
    }

    [Fact]
    public async Task Run_ById_OnlyForItsOwnAgent()
    {
        var agent = Definition("one").Id;
        var other = Definition("other").Id;
        await Store.RecordAsync("node-1", Unique, [Status(agent, "run-1", T0), Status(other, "run-2", T0)], 2, None);

        Assert.Equal(Unique + "run-1", (await Store.RunAsync(agent, Unique + "run-1", None))?.RunId);
        Assert.Null(await Store.RunAsync(agent, Unique + "run-2", None));
        Assert.Null(await Store.RunAsync(agent, Unique + "run-none", None));
    }

    [Fact]
    public async Task Runs_NewestFirst_TiesByRunIdOrdinally_UpToTheLimit()
    {
        var agent = Definition("runs").Id;
        await Store.RecordAsync("node-1", Unique, [Status(agent, "b", T0), Status(agent, "B", T0), Status(agent, "a", T0.AddSeconds(1)), Status(agent, "old", T0.AddSeconds(-1))], 4, None);

        Assert.Equal(["a", "b", "B"], (await Store.RunsAsync(agent, 3, None)).Select(r => r.RunId[Unique.Length..]));
    }

    [Fact]
    public async Task Delete_RemovesDefinitionStatusAndRuns()
    {
        var keep = Definition("keep");
        var gone = Definition("gone");
        await Store.SaveAsync(keep, None);
        await Store.SaveAsync(gone, None);
        await Store.RecordAsync("node-1", Unique, [Status(gone.Id, "run-1", T0), Status(keep.Id, "run-2", T0)], 1, None);

        await Store.DeleteAsync(gone.Id, None);

        var (definitions, statuses) = await MineAsync();
        Assert.Equal([keep.Id], definitions.Select(d => d.Id));
        Assert.Equal([keep.Id], statuses.Select(s => s.AgentId));
        Assert.Empty(await Store.RunsAsync(gone.Id, 10, None));
        Assert.Single(await Store.RunsAsync(keep.Id, 10, None));
    }
}

public sealed class SqliteAgentRecordStoreTests : AgentRecordStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();

    protected override void CreateStore() => Store = new AgentRecordStore(Sqlite);
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresAgentRecordStoreTests(PostgresServer server) : AgentRecordStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);

    protected override void CreateStore() => Store = new AgentRecordStore(Postgres);
}
