using Grpc.Core;
using Mesh.Hub.InternalApi;
using Microsoft.Extensions.Logging;

namespace Mesh.Hub.Tests.InternalApi;

/// <summary>A handler's own bug is logged at Error once and answered UNKNOWN without internals; client-caused endings are not logged.</summary>
public sealed class HandlerFailuresTests
{
    [Fact]
    public async Task HandlerBug_LoggedAtError_AnsweredUnknownWithoutInternals()
    {
        var log = new RecordingLogger();
        var interceptor = new HandlerFailures(Store(), log);

        var ex = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("x", new Context(CancellationToken.None),
            (_, _) => throw new InvalidOperationException("secret internals")));

        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.DoesNotContain("secret", ex.Status.Detail, StringComparison.Ordinal);
        var entry = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    [Fact]
    public async Task RefusalOrClientCancellation_PassesThrough_NotLogged()
    {
        var log = new RecordingLogger();
        var interceptor = new HandlerFailures(Store(), log);
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("x", new Context(CancellationToken.None),
            (_, _) => throw new RpcException(new Status(StatusCode.PermissionDenied, "no"))));
        await Assert.ThrowsAsync<OperationCanceledException>(() => interceptor.UnaryServerHandler<string, string>("x", new Context(gone.Token),
            (_, _) => throw new OperationCanceledException()));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Empty(log.Entries);
    }

    [Fact]
    public async Task LostStore_AnsweredUnavailableWithWhatToDo_NotLoggedAsABug_StoreMarkedDown()
    {
        var log = new RecordingLogger();
        var store = Store();
        var interceptor = new HandlerFailures(store, log);

        var ex = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("x", new Context(CancellationToken.None),
            (_, _) => throw new IOException("the mailbox store could not commit this write; retry it",
                new Npgsql.NpgsqlException("Exception while reading from stream", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset)))));

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.StartsWith("the hub cannot reach its store (", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(": cannot connect: connection reset); the request was not completed. Retry shortly", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(log.Entries);
        Assert.False(store.IsAvailable);
        Assert.Equal("cannot connect: connection reset", store.Problem);
    }

    private static Mesh.Hub.Storage.StoreAvailability Store() =>
        new(new Mesh.Hub.Storage.HubDatabase(Path.Combine(Path.GetTempPath(), "never-opened.db"), []), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Mesh.Hub.Storage.StoreAvailability>.Instance);

    private sealed class RecordingLogger : ILogger<HandlerFailures>
    {
        public List<(LogLevel Level, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, exception));
    }

    /// <summary>The few members the interceptor reads; the rest are unused.</summary>
    private sealed class Context(CancellationToken cancellation) : ServerCallContext
    {
        protected override string MethodCore => "/mesh.v1.Mailbox/Send";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore => [];
        protected override CancellationToken CancellationTokenCore => cancellation;
        protected override Metadata ResponseTrailersCore => [];
        protected override Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore => new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
