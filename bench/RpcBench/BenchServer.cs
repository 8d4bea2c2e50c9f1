using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Bench.Rpc;

/// <summary>One Kestrel, one TLS endpoint: the grpc-dotnet service (unary and streaming), a bare HTTP/2 endpoint and a hand-written gRPC answer.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    public const string UnaryPath = "/bench.Bench/Unary";

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
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0, lo =>
            {
                lo.Protocols = HttpProtocols.Http2;
                lo.UseHttps(certificate);
            });
        });

        var app = builder.Build();
        app.MapGrpcService<BenchService>();
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

    /// <summary>The grpc-dotnet service: a constant unary answer, echo (a burst shares DATA frames: a flush every 64 messages), and a counting upload.</summary>
    private sealed class BenchService : Bench.BenchBase
    {
        private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

        public override Task<Payload> Unary(Payload request, ServerCallContext context) => Task.FromResult(UnaryReply);

        public override async Task Echo(IAsyncStreamReader<Payload> requestStream, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
        {
            var count = 0;
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                responseStream.WriteOptions = ++count % 64 == 0 ? null : Buffered;
                await responseStream.WriteAsync(requestStream.Current, context.CancellationToken);
            }
        }

        public override async Task Download(Payload request, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
        {
            var count = int.Parse(request.Data.ToStringUtf8(), System.Globalization.CultureInfo.InvariantCulture);
            var message = new Payload { Data = ByteString.CopyFrom(new byte[98]) };
            for (var i = 1; i <= count; i++)
            {
                responseStream.WriteOptions = i % 64 == 0 || i == count ? null : Buffered;
                await responseStream.WriteAsync(message, context.CancellationToken);
            }
        }

        public override async Task<Payload> Upload(IAsyncStreamReader<Payload> requestStream, ServerCallContext context)
        {
            long count = 0;
            while (await requestStream.MoveNext(context.CancellationToken))
                count++;
            return new Payload { Data = ByteString.CopyFromUtf8(count.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        }
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
