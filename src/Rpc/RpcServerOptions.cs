namespace Mesh.Rpc;

/// <summary>Server-wide settings for every service mapped with <c>MapRpcService</c>.</summary>
public sealed class RpcServerOptions
{
    /// <summary>Largest request message accepted (checked from the frame header before buffering). Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = Internal.GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest response message sent; larger ones fail the call with RESOURCE_EXHAUSTED. Default unlimited.</summary>
    public int MaxSendMessageSize { get; set; } = int.MaxValue;

    /// <summary>A hook run before every handler of every service (before the service's own pre-handler).</summary>
    public RpcPreHandler? PreHandler { get; set; }

    /// <summary>Put handler exception messages into the UNKNOWN status detail. Off by default: internals never leak.</summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>Clock used for deadlines.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
