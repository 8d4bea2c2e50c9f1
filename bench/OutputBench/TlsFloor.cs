using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.OutputBench;

/// <summary>
/// The floor: `cat` of the same files over a plain TLS socket on loopback (SslStream both ends, in this process, the
/// default TLS 1.3 cipher as the mesh session gets), 64 KiB writes, the reader discarding. Elapsed time and this
/// process's CPU (both ends).
/// </summary>
internal static class TlsFloor
{
    public static async Task<(long Bytes, TimeSpan Elapsed, double CpuSeconds)> CatAsync(IReadOnlyList<string> files)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        using var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();

        var reading = Task.Run(async () =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync("127.0.0.1");
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await tls.ReadAsync(buffer)) > 0)
                total += read;
            return total;
        });
        using (var server = await listener.AcceptTcpClientAsync())
        await using (var tls = new SslStream(server.GetStream()))
        {
            await tls.AuthenticateAsServerAsync(certificate);
            var buffer = new byte[64 * 1024];
            foreach (var path in files)
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
                int read;
                while ((read = await file.ReadAsync(buffer)) > 0)
                    await tls.WriteAsync(buffer.AsMemory(0, read));
            }

            await tls.ShutdownAsync();
        }

        var bytes = await reading;
        return (bytes, clock.Elapsed, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }
}
