using System.Net;
using Mesh.Rpc.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Rpc.Tests.Infrastructure;

public enum Security
{
    Plaintext,
    Tls,
    MutualTls,
}

/// <summary>A real Kestrel on 127.0.0.1, port 0, HTTP/2, serving what the test maps.</summary>
internal sealed class RpcTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RpcTestServer(WebApplication app, TestLogSink logs, Security security, int port)
    {
        _app = app;
        Logs = logs;
        Security = security;
        Port = port;
    }

    public TestLogSink Logs { get; }

    public Security Security { get; }

    public int Port { get; }

    public IServiceProvider Services => _app.Services;

    public Uri Address => new($"{(Security == Security.Plaintext ? "http" : "https")}://127.0.0.1:{Port}");

    public static async Task<RpcTestServer> StartAsync(
        Action<WebApplication> map,
        Security security = Security.Plaintext,
        Action<IServiceCollection>? services = null,
        Action<KestrelServerOptions>? kestrel = null,
        Action<ListenOptions>? listen = null,
        Func<RpcServerTlsOptions>? tls = null)
    {
        var logs = new TestLogSink();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        services?.Invoke(builder.Services);
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0, lo =>
            {
                switch (security)
                {
                    case Security.Plaintext:
                        lo.UseRpcPlaintext();
                        break;
                    case Security.Tls:
                        lo.UseRpcTls(tls?.Invoke() ?? new RpcServerTlsOptions { ServerCertificate = TestPki.Shared.ServerCertificate });
                        break;
                    case Security.MutualTls:
                        lo.UseRpcTls(tls?.Invoke() ?? new RpcServerTlsOptions
                        {
                            ServerCertificate = TestPki.Shared.ServerCertificate,
                            RequireClientCertificate = true,
                            ClientCertificateValidator = new RpcClientCertificateValidator(TestPki.Shared.CaCollection).Validate,
                        });
                        break;
                }

                listen?.Invoke(lo);
            });
            kestrel?.Invoke(options);
        });

        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RpcTestServer(app, logs, security, new Uri(address).Port);
    }

    public RpcChannel CreateChannel(RpcChannelOptions? options = null)
    {
        options ??= new RpcChannelOptions();
        if (Security != Security.Plaintext && options.RootCertificates is null)
        {
            options.RootCertificates = TestPki.Shared.CaCollection;
        }

        if (Security == Security.MutualTls && options.ClientCertificate is null)
        {
            options.ClientCertificate = TestPki.Shared.ClientCertificate;
        }

        return new RpcChannel(Address, options);
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }
}
