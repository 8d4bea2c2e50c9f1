using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Pki.Tests.Support;

/// <summary>A real TLS handshake over a TcpListener on 127.0.0.1 port 0, server and client SslStreams.</summary>
internal static class TlsLoopback
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public sealed record Outcome(Exception? ServerError, Exception? ClientError, string? Echo, X509Certificate2? ClientCertificateSeenByServer);

    public static async Task<Outcome> RunAsync(
        X509Certificate2 serverCertificate,
        RemoteCertificateValidationCallback validateClient,
        X509Certificate2? clientCertificate,
        string targetHost,
        RemoteCertificateValidationCallback validateServer)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cts = new CancellationTokenSource(Timeout);

        X509Certificate2? seen = null;
        var serverTask = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync(cts.Token);
            await using var ssl = new SslStream(socket.GetStream(), false);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = validateClient,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, cts.Token);
            seen = ssl.RemoteCertificate as X509Certificate2;
            var buffer = new byte[5];
            await ssl.ReadExactlyAsync(buffer, cts.Token);
            await ssl.WriteAsync(buffer, cts.Token);
            await ssl.FlushAsync(cts.Token);
        });

        var clientTask = Task.Run(async () =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            await using var ssl = new SslStream(tcp.GetStream(), false);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                RemoteCertificateValidationCallback = validateServer,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, cts.Token);
            await ssl.WriteAsync("hello"u8.ToArray(), cts.Token);
            await ssl.FlushAsync(cts.Token);
            var buffer = new byte[5];
            await ssl.ReadExactlyAsync(buffer, cts.Token);
            return System.Text.Encoding.ASCII.GetString(buffer);
        });

        Exception? serverError = null;
        Exception? clientError = null;
        string? echo = null;
        try
        {
            await serverTask;
        }
        catch (Exception ex)
        {
            serverError = ex;
            cts.CancelAfter(TimeSpan.FromSeconds(2)); // the client may wait on a connection the server gave up on
        }

        try
        {
            echo = await clientTask;
        }
        catch (Exception ex)
        {
            clientError = ex;
        }

        Assert.False(cts.IsCancellationRequested && serverError is null && clientError is OperationCanceledException, "TLS exchange timed out");
        return new Outcome(serverError, clientError, echo, seen);
    }
}
