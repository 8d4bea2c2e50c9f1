using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>
/// The mailbox writer on PostgreSQL: its one connection lost under it (a server restart or failover ends every
/// session), and statements that wait for the batch's round trip (a refusal there fails only its own operation).
/// </summary>
[Collection(PostgresServer.Collection)]
public sealed class PostgresMailboxWriterTests(PostgresServer server) : MailboxStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);

    [Fact]
    public async Task Send_AfterTheServerEndedTheWritersSession_StoredOnANewConnection()
    {
        await AddActorsAsync("a", "b");
        var before = await Hub.Messages.SendAsync(Text("a", "b", "before"), None);

        await using (var admin = new PostgresDatabase(server.Config("postgres"), []))
        await using (var connection = await admin.OpenAsync(None))
        await using (var kill = connection.Command("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()")
                         .With("db", (await server.DatabaseAsync(GetType().Name)).Database))
            Assert.True((long)(await kill.ExecuteScalarAsync(None))! >= 1);

        var after = await Hub.Messages.SendAsync(Text("a", "b", "after"), None);

        Assert.True(after.MessageIds[0] > before.MessageIds[0]);
        Npgsql.NpgsqlConnection.ClearAllPools(); // the readers' pooled sessions were ended too
        Assert.Equal(["before", "after"], (await Hub.Messages.ReadAsync(Inbox("b"), None)).Select(m => m.Payload));
    }

    [Fact]
    public async Task Batch_AStatementTheServerRefusesInTheSharedRoundTrip_OnlyThatSendFails()
    {
        await AddActorsAsync("a", "b");
        // PostgreSQL refuses a NUL character in text; the send is queued with the others and refused when they go together.
        var sends = Enumerable.Range(0, 100).Select(i => Hub.Messages.SendAsync(Text("a", "b", "m" + i, i % 2 == 0 ? "k" + i : null), None)).ToList();
        var refused = Hub.Messages.SendAsync(Text("a", "b", "nul \0 here", "k-refused"), None);
        sends.AddRange(Enumerable.Range(100, 100).Select(i => Hub.Messages.SendAsync(Text("a", "b", "m" + i, i % 2 == 0 ? "k" + i : null), None)));
        var results = await Task.WhenAll(sends);

        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => refused);
        Assert.Equal(200, results.Select(r => r.MessageIds[0]).Distinct().Count());
        var stored = await Hub.Messages.ReadAsync(Inbox("b"), None);
        Assert.Equal(results.Select(r => r.MessageIds[0]).Order(), stored.Select(m => m.Id));
        var again = await Hub.Messages.SendAsync(Text("a", "b", "retried", "k-refused"), None);
        Assert.False(again.Duplicate); // the refused send's key claim went back with it
    }

    [Fact]
    public async Task Send_DuplicateKeysInOneBatch_ListenersGetOnlyTheStoredMessages()
    {
        await AddActorsAsync("a", "b");
        var recorder = new Recorder();
        await using var parts = await MailboxParts.OpenAsync(Database, Clock, listeners: [recorder]);
        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => parts.Messages.SendAsync(Text("a", "b", "m" + i, "k" + (i % 3)), None)));

        // Listeners hear of commits in commit order, just after the senders are answered: once a later send's
        // message has reached the recorder, so has everything the batches before it stored.
        var marker = (await parts.Messages.SendAsync(Text("a", "b", "marker"), None)).MessageIds[0];
        await recorder.Heard(marker).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, results.Count(r => !r.Duplicate));
        Assert.Equal(3, results.Select(r => r.MessageIds[0]).Distinct().Count());
        var stored = recorder.Ids.Where(id => id != marker).ToList();
        Assert.Equal(results.Where(r => !r.Duplicate).Select(r => r.MessageIds[0]).Order(), stored);
        Assert.Equal([.. stored, marker], (await parts.Messages.ReadAsync(Inbox("b"), None)).Select(m => m.Id));
    }

    private sealed class Recorder : IMessageCommitListener
    {
        private readonly List<ulong> _ids = [];
        private readonly TaskCompletionSource<ulong> _heard = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ulong _waitingFor;

        public Task<ulong> Heard(ulong id)
        {
            lock (_ids)
            {
                _waitingFor = id;
                if (_ids.Contains(id))
                    _heard.TrySetResult(id);
            }

            return _heard.Task;
        }

        public IReadOnlyList<ulong> Ids
        {
            get
            {
                lock (_ids)
                    return [.. _ids];
            }
        }

        public void MessagesCommitted(IReadOnlyList<MailboxMessage> messages)
        {
            lock (_ids)
            {
                _ids.AddRange(messages.Select(m => m.Id));
                if (_waitingFor != 0 && _ids.Contains(_waitingFor))
                    _heard.TrySetResult(_waitingFor);
            }
        }
    }
}
