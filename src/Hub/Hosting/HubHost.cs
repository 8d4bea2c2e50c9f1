using Mesh.Hub.Agents;
using Mesh.Hosting;
using System.Net.Sockets;
using Mesh.Core.Configuration;
using Mesh.Hub.Access;
using Mesh.Hub.Web;
using Mesh.Hub.Nodes;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Audit;
using Mesh.Hub.Health;
using Mesh.Hub.InternalApi;
using Mesh.Hub.Mailbox;
using Mesh.Hub.Cluster;
using Mesh.Hub.Metrics;
using Mesh.Hub.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Mesh.Core.Readiness;

namespace Mesh.Hub.Hosting;

/// <summary>Composes and runs the hub role.</summary>
public static class HubHost
{
    /// <summary>
    /// Runs the hub until shutdown. <paramref name="startEmbeddedNode"/> (the executable's, which also knows the node
    /// role) starts the hub's own node once the internal listener is up, given its address; it returns the node's run.
    /// </summary>
    public static async Task<int> RunAsync(MeshConfig config, bool jsonLogs, TextWriter output, CancellationToken cancellationToken,
        Func<WebApplication, Uri, CancellationToken, Task<Task>>? startEmbeddedNode = null)
    {
        var listeners = new HubListeners();
        var app = Build(config, jsonLogs, TimeProvider.System, listeners);
        await using (app)
        {
            await InitializeAsync(app, cancellationToken);
            await StartAsync(app, config, cancellationToken);
            if (listeners.HealthUrl is { } health)
                output.WriteLine($"mesh hub health: {health} (plaintext, grpc.health.v1 only)");
            if (WebTls.PlaintextWarning(config) is { } warning)
                output.WriteLine(warning);
            output.WriteLine(new HubReadyLine(new Uri(listeners.WebUrl), listeners.InternalUrl is { } grpc ? new Uri(grpc) : null));
            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
            var embedded = config.Server.EmbeddedNode && listeners.InternalUrl is { } internalUrl && startEmbeddedNode is not null
                ? await startEmbeddedNode(app, new Uri(internalUrl), lifetime.ApplicationStopping)
                : Task.CompletedTask;
            await app.WaitForShutdownAsync(cancellationToken);
            await embedded;
        }

        return 0;
    }

    public static WebApplication Build(MeshConfig config, bool jsonLogs, TimeProvider time, HubListeners listeners)
    {
        PrepareDataDirectory(config.Server.DataDir);
        var identity = HubIdentity.LoadOrCreate(config, time);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        MeshLogging.Configure(builder.Logging, jsonLogs);
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(time);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services
            .AddStoredCapabilities(config)
            .AddInternalApi(identity)
            .AddHubHealth()
            .AddAdminApi()
            .AddOperatorUi()
            .AddHubMetrics(config);
        // Compositions across capabilities that do not know each other.
        builder.Services.AddSingleton<IPlacementNodes, RegistryPlacementNodes>();
        builder.Services.AddSingleton(new NodeDetailSection(ActorSections.OnNode, 20));

        var webHttps = WebTls.Load(config, time);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = ConnectionLimit.ForThisProcess();
            kestrel.Listen(config.Server.Listen.ToEndPoint(), listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (webHttps is not null)
                    listen.UseHttps(webHttps);
                listeners.Web = listen;
                listeners.WebIsHttps = webHttps is not null;
            });
            if (config.InternalGrpc.Enabled)
                listeners.Internal = kestrel.ListenInternalApi(config, identity, health => listeners.Health = health);
        });

        var app = builder.Build();
        app.UseListenerSeparation();
        if (config.InternalGrpc.Enabled)
            app.UseInternalApi();
        app.UseErrorPages();
        app.UseStoreOutageAnswers();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHubStatus();
        app.MapOperatorUi();
        app.MapAccess();
        app.MapAuditPages();
        var admin = app.MapAdminApi();
        admin.MapAuditEndpoints();
        app.MapNodes(admin);
        app.MapMailbox(admin);
        app.MapAgents(admin);
        app.MapHubMetrics(config);
        return app;
    }

    /// <summary>
    /// The capabilities that own tables, in the order their migrations apply (registrations only: nothing is opened).
    /// </summary>
    internal static IServiceCollection AddStoredCapabilities(this IServiceCollection services, MeshConfig config) =>
        services
            .AddHubStorage(config)
            .AddCluster(config)
            .AddAudit()
            .AddNodes(config)
            .AddMailbox(config)
            .AddAgents()
            .AddAccess();

    /// <summary>Opens the store (migrations), checks it belongs to this hub's CA, and loads the deny-list before any listener accepts a connection.</summary>
    public static async Task InitializeAsync(WebApplication app, CancellationToken cancellationToken)
    {
        try
        {
            app.Services.GetRequiredService<LocalHub>();
        }
        catch (HubIdException ex)
        {
            throw new StartupException(ex.Message, ex);
        }

        var database = app.Services.GetRequiredService<IHubDatabase>();
        await MigrateAsync(database, cancellationToken);
        var config = app.Services.GetRequiredService<MeshConfig>();
        await ClusterCaCheck.EnsureSameCaAsync(app.Services.GetRequiredService<HubSettings>(), app.Services.GetRequiredService<HubIdentity>(),
            config.InternalGrpc.Security.CertDir, database.Description, cancellationToken);
        await app.Services.InitializeNodesAsync(cancellationToken);
        await app.Services.InitializeAgentsAsync(cancellationToken);
    }

    /// <summary>
    /// <c>mesh store migrate</c>: applies the schema to the configured store and exits, starting nothing else (no
    /// listener, no CA files). Returns the ids it applied.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MigrateStoreAsync(MeshConfig config, CancellationToken cancellationToken)
    {
        if (config.Store.Kind == StoreKind.Sqlite)
            PrepareDataDirectory(config.Server.DataDir);
        await using var provider = StoreOnly(config);
        return await MigrateAsync(provider.GetRequiredService<IHubDatabase>(), cancellationToken);
    }

    /// <summary>
    /// <c>mesh admin reset-password</c>: a new one-time password for a UI account, written through the configured
    /// store (SQLite or PostgreSQL; the hub may be running). The password, or why there is none.
    /// </summary>
    public static async Task<(string? Password, string? Error)> ResetPasswordAsync(MeshConfig config, string user, string source, CancellationToken cancellationToken)
    {
        if (PasswordReset.Refusal(config, user) is { } refusal)
            return (null, refusal);
        await using var provider = StoreOnly(config);
        try
        {
            await provider.GetRequiredService<IHubDatabase>().MigrateAsync(cancellationToken);
            return await provider.GetRequiredService<PasswordReset>().ResetAsync(user, source, cancellationToken);
        }
        catch (StoreException ex)
        {
            return (null, ex.Message);
        }
    }

    // The stores and their migrations only: no listener, no CA, nothing opened until asked.
    private static ServiceProvider StoreOnly(MeshConfig config) =>
        new ServiceCollection()
            .AddSingleton(config)
            .AddSingleton(TimeProvider.System)
            .AddLogging()
            .AddStoredCapabilities(config)
            .BuildServiceProvider();

    private static async Task<IReadOnlyList<string>> MigrateAsync(IHubDatabase store, CancellationToken cancellationToken)
    {
        try
        {
            return await store.MigrateAsync(cancellationToken);
        }
        catch (StoreException ex)
        {
            throw new StartupException(ex.Message, ex);
        }
    }

    private static async Task StartAsync(WebApplication app, MeshConfig config, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new StartupException($"cannot listen on {WhichListener(ex, config)}: the address is already in use. Stop the other process or choose another port.", ex);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AccessDenied or SocketError.AddressNotAvailable)
        {
            throw new StartupException($"cannot listen: {ex.Message}.", ex);
        }
    }

    private static string WhichListener(IOException ex, MeshConfig config)
    {
        var text = ex.Message;
        if (config.InternalGrpc.Enabled && text.Contains(config.InternalGrpc.Listen.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) && config.InternalGrpc.Listen.Port != 0)
            return $"{config.InternalGrpc.Listen} ([internal_grpc] listen)";
        if (config.InternalGrpc.HealthListen is { Port: not 0 } health && text.Contains(health.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
            return $"{health} ([internal_grpc] health_listen)";
        return $"{config.Server.Listen} ([server] listen)";
    }

    private static void PrepareDataDirectory(string dataDir)
    {
        try
        {
            Directory.CreateDirectory(dataDir);
            File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new StartupException($"cannot create data_dir '{dataDir}' ([server] data_dir): {ex.Message} Choose a folder this user can write, or create it and chown it to this user.", ex);
        }
    }
}

/// <summary>The listeners the hub opened; after start they carry the bound ports (port 0 resolved).</summary>
public sealed class HubListeners
{
    public ListenOptions? Web { get; set; }

    public ListenOptions? Internal { get; set; }

    public bool WebIsHttps { get; set; }

    public string WebUrl => $"{(WebIsHttps ? "https" : "http")}://{Format(Web!)}";

    public ListenOptions? Health { get; set; }

    public string? InternalUrl => Internal is null ? null : $"https://{Format(Internal)}";

    /// <summary>The plaintext (h2c) listener serving only grpc.health.v1, when [internal_grpc] health_listen is set.</summary>
    public string? HealthUrl => Health is null ? null : $"http://{Format(Health)}";

    private static string Format(ListenOptions listen) => listen.IPEndPoint!.ToString();
}
