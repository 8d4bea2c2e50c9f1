using Mesh.Hub.Tests;
using System.Net;
using Mesh.Core.Auth;
using Mesh.Node.Connection;
using Mesh.Node.Mailbox;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using Mesh.Hub.Tests.Mailbox.Support;

namespace Mesh.Node.Tests.Mailbox;

/// <summary>
/// A node's local mailbox endpoint: the real <see cref="MailboxRelay"/> on Kestrel (h2c, loopback port 0) relaying
/// to a real hub over TLS with node tokens, its outbox in a temp data_dir.
/// </summary>
public sealed class RelayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly MailboxOutbox _outbox;

    private RelayHost(WebApplication app, MailboxRelay relay, MailboxOutbox outbox, Uri url)
    {
        _app = app;
        Relay = relay;
        _outbox = outbox;
        Url = url;
    }

    public MailboxRelay Relay { get; }

    public Uri Url { get; }

    public static async Task<RelayHost> StartAsync(MailboxTestHub hub, string nodeId, string dataDir)
    {
        var connection = new TestHubConnection(hub, nodeId);
        var auth = hub.Config.InternalGrpc.Auth;
        var outbox = new MailboxOutbox(dataDir);
        var relay = new MailboxRelay(connection, outbox, new NodeTokenValidator(hub.Keys.DeriveNodeKey(nodeId), nodeId, auth.Issuer, auth.Audience, auth.ClockSkew),
            TimeProvider.System, NullLogger<MailboxRelay>.Instance);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddMailboxRelay(_ => relay);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapMailboxRelay();
        await app.StartAsync();
        var address = app.Urls.First();
        return new RelayHost(app, relay, outbox, new Uri(address.Replace("https://", "http://", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Relay.Dispose();
        _outbox.Dispose();
    }

    /// <summary>The node's way to the hub: a TLS channel trusting the hub CA, node tokens signed with the node's key.</summary>
    private sealed class TestHubConnection(MailboxTestHub hub, string nodeId) : IHubConnection
    {
        private readonly CallTokenIssuer _issuer = new(hub.Config.InternalGrpc.Auth.Issuer, hub.Config.InternalGrpc.Auth.Audience);

        public ChannelBase Channel { get; } = hub.Channel();

        public string NodeId => nodeId;

        public CallOptions Call(TimeSpan timeout, CancellationToken cancellationToken) =>
            GrpcTestClients.WithTimeout(timeout, new Metadata { { "authorization", "Bearer " + hub.NodeToken(nodeId) } }, cancellationToken);

        public string MintActorToken(string actorId, TimeSpan lifetime) =>
            _issuer.MintWithNodeKey(hub.Keys.DeriveNodeKey(nodeId), nodeId, CallerScope.Actor, actorId, lifetime);
    }
}
