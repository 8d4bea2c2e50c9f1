using System.Security.Cryptography.X509Certificates;

namespace Mesh.Rpc;

/// <summary>Settings for an <see cref="RpcChannel"/>.</summary>
public sealed class RpcChannelOptions
{
    /// <summary>
    /// Trust anchors for the server certificate (e.g. the hub CA). When set, only these roots are trusted
    /// (chain built with custom root trust, host name checked against the SANs); when null, the system store is used.
    /// </summary>
    public X509Certificate2Collection? RootCertificates { get; set; }

    /// <summary>
    /// Decides on the server certificate instead of <see cref="RootCertificates"/> (e.g. Mesh.Pki's
    /// <c>CertificateValidator.ServerCertificateCallback(host)</c>, or a check that the peer is a given node).
    /// </summary>
    public System.Net.Security.RemoteCertificateValidationCallback? ServerCertificateValidation { get; set; }

    /// <summary>The client certificate (with private key) presented for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Intermediates sent along with <see cref="ClientCertificate"/>.</summary>
    public X509Certificate2Collection? ClientCertificateChain { get; set; }

    /// <summary>Largest response message accepted (checked from the frame header). Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = Internal.GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest request message sent. Default unlimited.</summary>
    public int MaxSendMessageSize { get; set; } = int.MaxValue;

    /// <summary>
    /// HTTP/2 keepalive ping interval while calls are active; null (default) sends none. grpcio and grpc-go servers
    /// answer pings more frequent than their policy allows (5 min by default) with GOAWAY "too many pings", so keep
    /// this ≥ 30 s unless the server is ours.
    /// </summary>
    public TimeSpan? KeepAlivePingDelay { get; set; }

    /// <summary>How long to wait for a keepalive ping's answer before closing the connection. Default 20 s.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Open more HTTP/2 connections when one reaches the server's concurrent-stream limit. Default true.</summary>
    public bool EnableMultipleHttp2Connections { get; set; } = true;

    /// <summary>TCP + TLS connect timeout. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Request-stream messages buffered before <c>WriteAsync</c> waits. Default 64.</summary>
    public int RequestStreamBufferCapacity { get; set; } = 64;

    /// <summary>Clock used for deadlines.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>A custom handler instead of the channel's own <c>SocketsHttpHandler</c> (TLS settings above are then ignored).</summary>
    public HttpMessageHandler? HttpHandler { get; set; }
}
