using System.Net;
using System.Security.Authentication;
using Mesh.Pki;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.IntegrationTests.Interop;

public enum Security
{
    Tls,
    MutualTls,
}

/// <summary>
/// A real Kestrel on 127.0.0.1 port 0 serving <see cref="InteropService"/> on grpc-dotnet with the hub's transport
/// settings: HTTP/2 over TLS 1.2/1.3, the 4 MiB receive limit, client certificates (mTLS) validated by Mesh.Pki's
/// <see cref="CertificateValidator"/> against the test CA with the refusal logged as the hub logs it.
/// </summary>
internal sealed class InteropServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InteropServer(WebApplication app, TestLogSink logs, InteropService service, int port, Security security)
    {
        Security = security;
        _app = app;
        Logs = logs;
        Service = service;
        Port = port;
    }

    public TestLogSink Logs { get; }

    public InteropService Service { get; }

    public int Port { get; }

    public Security Security { get; }

    public Uri Address => new($"https://127.0.0.1:{Port}");

    /// <summary>A Grpc.Net.Client channel trusting the test CA, presenting the test client certificate in mTLS.</summary>
    public Grpc.Net.Client.GrpcChannel Channel() =>
        Mesh.Hub.Tests.GrpcTestClients.Channel(Address, TestPki.Shared.Ca.Certificate, Security == Security.MutualTls ? TestPki.Shared.ClientCertificate : null);

    public InteropTest.InteropTestClient Client(Grpc.Net.Client.GrpcChannel channel) => new(channel);

    public static async Task<InteropServer> StartAsync(Security security)
    {
        var logs = new TestLogSink();
        var service = new InteropService();
        var pki = TestPki.Shared;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(service);
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 4 * 1024 * 1024);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            var logger = listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Interop.Tls");
            var validator = new CertificateValidator(pki.Ca.Certificate);
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = pki.ServerCertificate,
                SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateMode = security == Security.MutualTls ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
                ClientCertificateValidation = (certificate, chain, _) =>
                {
                    var result = validator.ValidateClient(certificate, chain);
                    if (!result.IsValid)
                        logger.LogWarning(new EventId(1, "ClientCertificateRejected"), "Rejected the TLS client certificate {Subject}: {Reason}", certificate.Subject, result.Reason);
                    return result.IsValid;
                },
            });
        }));
        var app = builder.Build();
        app.MapGrpcService<InteropService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InteropServer(app, logs, service, new Uri(address).Port, security);
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }
}
