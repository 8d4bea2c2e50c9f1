using Mesh.Core.Configuration;
using Mesh.Hub.InternalApi;
using Mesh.Hub.Mailbox.Sqlite;
using Mesh.Hub.Mailbox.Triggers;
using Mesh.Hub.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Hub.Mailbox;

public static class MailboxExtensions
{
    /// <summary>
    /// Registers the mailbox capability: schema, SQLite store (opened at host start, after the database is
    /// initialized), the gRPC service on the internal listener and the time trigger scheduler.
    /// </summary>
    public static IServiceCollection AddMailbox(this IServiceCollection services, MeshConfig config, Action<MailboxOptions>? configure = null)
    {
        var options = new MailboxOptions
        {
            MaxPayloadBytes = config.Mailbox.MaxPayloadBytes,
            MaxWatchStreams = config.Mailbox.MaxWatchStreams,
            MaxWatchStreamsPerActor = config.Mailbox.MaxWatchStreamsPerActor,
        };
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<IMigrationSource, MailboxMigrations>();
        services.AddSingleton<SqliteMailboxStore>();
        services.AddSingleton<IMailboxStore>(sp => sp.GetRequiredService<SqliteMailboxStore>());
        services.AddSingleton<MailboxNotifier>();
        services.AddSingleton<ReviewWaiters>();
        services.AddSingleton(sp =>
        {
            var service = new MailboxService(sp.GetRequiredService<IMailboxStore>(), sp.GetRequiredService<MailboxNotifier>(),
                sp.GetRequiredService<ReviewWaiters>(), options, sp.GetRequiredService<TimeProvider>());
            return service;
        });
        services.AddInternalGrpcService<MailboxRpcService>();
        services.AddHostedService<MailboxStartup>();
        services.AddSingleton<TriggerScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<TriggerScheduler>());
        services.AddSingleton(new Web.UiNavItem("Mailboxes", "/mailboxes", 30));
        services.AddSingleton(new Web.UiNavItem("Reviews", "/reviews", 40));
        services.AddSingleton<Web.MailboxStreamGate>();
        return services;
    }
}

/// <summary>Opens the store once the host starts (the host has initialized the database by then) and wires notifications.</summary>
internal sealed class MailboxStartup(HubDatabase database, IMailboxStore store, MailboxNotifier notifier) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Idempotent: applies only migrations not yet recorded (the host normally did this already).
        await database.InitializeAsync(cancellationToken);
        store.MessagesCommitted += notifier.Publish;
        await store.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
