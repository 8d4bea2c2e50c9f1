using Mesh.Core.Configuration;
using Mesh.Node;
using Mesh.Node.Connection;
using Mesh.Node.Hosting;
using Mesh.Node.Identity;
using Mesh.Node.Session;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Hub.Tests.Support;

/// <summary>A node's hub connection loop on its own, assembled from its real parts (as the node's container does).</summary>
internal static class TestNodeAgents
{
    // Nothing exports these tests' node instruments; one factory for all keeps them off the process-wide meters.
    private static readonly TestMeterFactory Meters = new();

    public static NodeAgent Create(MeshConfig config, TimeProvider? time = null, CurrentHubConnection? hub = null, ILogger<NodeAgent>? logger = null)
    {
        time ??= TimeProvider.System;
        var drain = new NodeDrainState();
        INodeCommandHandler[] handlers =
        [
            new PingCommandHandler(time), new TestConnectionCommandHandler(time, drain), new DrainCommandHandler(drain, NullLogger<DrainCommandHandler>.Instance),
        ];
        return new NodeAgent(config, hub ?? new CurrentHubConnection(), new NodeSessionLoop(config, handlers, [], drain, time, new NodeSessionMetrics(Meters), NullLogger<NodeSessionLoop>.Instance),
            new NodeIdentityFiles(config.InternalGrpc.Security.CertDir), new NodeAnnouncements(TextWriter.Null), time, logger ?? NullLogger<NodeAgent>.Instance);
    }
}
