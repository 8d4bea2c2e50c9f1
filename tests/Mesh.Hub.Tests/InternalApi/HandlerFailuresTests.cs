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
        var interceptor = new HandlerFailures(log);

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
        var interceptor = new HandlerFailures(log);
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("x", new Context(CancellationToken.None),
            (_, _) => throw new RpcException(new Status(StatusCode.PermissionDenied, "no"))));
        await Assert.ThrowsAsync<OperationCanceledException>(() => interceptor.UnaryServerHandler<string, string>("x", new Context(gone.Token),
            (_, _) => throw new OperationCanceledException()));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Empty(log.Entries);
    }

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
