using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Mesh.Rpc.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Rpc.Bench;

/// <summary>One Kestrel, one TLS endpoint: our unary gRPC method, a bare HTTP/2 endpoint, and the streaming methods.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    public const string Service = "bench.Bench";
    public static readonly Method<Payload, Payload> Unary = new(MethodType.Unary, Service, "Unary", Payload.Parser, Payload.Parser);
    public static readonly Method<Payload, Payload> Echo = new(MethodType.DuplexStreaming, Service, "Echo", Payload.Parser, Payload.Parser);
    public static readonly Method<Payload, Payload> Upload = new(MethodType.ClientStreaming, Service, "Upload", Payload.Parser, Payload.Parser);

    private static readonly byte[] BareBody = "ok\n"u8.ToArray();
    private static readonly Payload UnaryReply = new() { Data = ByteString.CopyFromUtf8("ok\n") };

    private readonly WebApplication _app;

    private BenchServer(WebApplication app, int port, X509Certificate2 certificate)
    {
        _app = app;
        Port = port;
        Certificate = certificate;
    }

    public int Port { get; }

    public X509Certificate2 Certificate { get; }

    public static async Task<BenchServer> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddRpc();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0, lo => lo.UseRpcTls(new RpcServerTlsOptions { ServerCertificate = certificate }));
        });

        var app = builder.Build();
        app.MapRpcService(new RpcServiceBuilder(Service)
            .Unary(Unary, static (_, _) => ValueTask.FromResult(UnaryReply))
            .DuplexStreaming(Echo, EchoAsync)
            .ClientStreaming(Upload, UploadAsync)
            .Build());
        app.MapPost("/bare", static async (HttpContext context) => { await context.Response.BodyWriter.WriteAsync(BareBody); });
        app.MapPost("/handwritten", HandWrittenAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BenchServer(app, new Uri(address).Port, certificate);
    }

    // The least a unary gRPC answer needs, written by hand: read the body to its end, content-type, one frame,
    // grpc-status trailer. Shows how much of the gap to /bare is gRPC itself rather than our layer.
    private static async Task HandWrittenAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync();
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        context.Response.ContentType = "application/grpc";
        await context.Response.BodyWriter.WriteAsync(HandWrittenFrame);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    private static readonly byte[] HandWrittenFrame = [0, 0, 0, 0, 5, 0x0A, 0x03, (byte)'o', (byte)'k', (byte)'\n'];

    // Echo every message; flush every 64 and when the request stream ends, so a burst shares DATA frames.
    private static async Task EchoAsync(IRpcStreamReader<Payload> requests, IRpcStreamWriter<Payload> responses, RpcCallContext context)
    {
        var count = 0;
        while (await requests.MoveNextAsync(context.CancellationToken))
        {
            await responses.WriteAsync(requests.Current, flush: ++count % 64 == 0, context.CancellationToken);
        }
    }

    private static async Task<Payload> UploadAsync(IRpcStreamReader<Payload> requests, RpcCallContext context)
    {
        long count = 0;
        while (await requests.MoveNextAsync(context.CancellationToken))
        {
            count++;
        }

        return new Payload { Data = ByteString.CopyFromUtf8(count.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
