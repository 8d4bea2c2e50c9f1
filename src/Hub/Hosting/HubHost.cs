using System.Net.Sockets;
using Mesh.Core.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Hub.Hosting;

/// <summary>Composes and runs the hub role.</summary>
internal static class HubHost
{
    public static async Task<int> RunAsync(MeshConfig config, bool jsonLogs, TextWriter output, CancellationToken cancellationToken)
    {
        var app = Build(config, jsonLogs);
        await using (app)
        {
            await StartAsync(app, config, cancellationToken);
            var web = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            output.WriteLine($"mesh hub ready: web {web}");
            await app.WaitForShutdownAsync(cancellationToken);
        }

        return 0;
    }

    public static WebApplication Build(MeshConfig config, bool jsonLogs)
    {
        PrepareDataDirectory(config.Server.DataDir);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        MeshLogging.Configure(builder.Logging, jsonLogs);
        builder.Services.AddSingleton(config);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(config.Server.Listen.ToEndPoint(), listen => listen.Protocols = HttpProtocols.Http1);
        });

        var app = builder.Build();
        app.MapHubStatus();
        return app;
    }

    private static async Task StartAsync(WebApplication app, MeshConfig config, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new StartupException($"cannot listen on {config.Server.Listen} ([server] listen): the address is already in use. Stop the other process or choose another port.", ex);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AccessDenied or SocketError.AddressNotAvailable)
        {
            throw new StartupException($"cannot listen on {config.Server.Listen} ([server] listen): {ex.Message}.", ex);
        }
    }

    private static void PrepareDataDirectory(string dataDir)
    {
        try
        {
            Directory.CreateDirectory(dataDir);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new StartupException($"cannot create data_dir '{dataDir}' ([server] data_dir): {ex.Message} Choose a folder this user can write, or create it and chown it to this user.", ex);
        }
    }
}
