using Mesh.Rpc;

namespace Mesh.Core.Protocol;

/// <summary>The mesh.v1.NodeSession methods, shared by the hub (server) and nodes (client).</summary>
public static class SessionMethods
{
    public const string ServiceName = "mesh.v1.NodeSession";

    public static readonly Method<NodeMessage, HubMessage> Attach =
        new(MethodType.DuplexStreaming, ServiceName, "Attach", NodeMessage.Parser, HubMessage.Parser);
}
