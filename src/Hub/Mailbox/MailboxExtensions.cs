using Mesh.Core.Configuration;
using Mesh.Hub.InternalApi;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Mailbox.Reviews;
using Mesh.Hub.Mailbox.Triggers;
using Mesh.Hub.Storage;
using Mesh.Hub.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Hub.Mailbox;

public static class MailboxExtensions
{
    /// <summary>
    /// Registers the mailbox: the shared database (schema, one writer, opened at host start after the database is
    /// initialized), actors, messages, time triggers (and their scheduler), permission reviews, the gRPC service on
    /// the internal listener, and the pages' navigation entries and live feeds.
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
        services.AddSingleton<MailboxDatabase>();
        services.AddSingleton(new MailboxStreams());

        services.AddSingleton<IActorStore, ActorStore>();
        services.AddSingleton<ActorService>();

        services.AddSingleton<IMessageStore, MessageStore>();
        services.AddSingleton<MessageMetrics>();
        services.AddSingleton<IMessageCommitListener>(sp => sp.GetRequiredService<MessageMetrics>());
        // Several hubs on PostgreSQL: watchers are woken through the cluster bus by every hub's commits (this one's too).
        var clustered = config.Store.Postgres is not null;
        services.AddSingleton(sp => new MailboxNotifier(sp.GetRequiredService<MailboxOptions>()) { PushesCommits = !clustered });
        services.AddSingleton<IMessageCommitListener>(sp => sp.GetRequiredService<MailboxNotifier>());
        if (clustered)
        {
            services.AddSingleton<MailboxBus>();
            services.AddSingleton<IMessageCommitAnnouncer>(sp => sp.GetRequiredService<MailboxBus>());
            services.AddHostedService(sp => sp.GetRequiredService<MailboxBus>());
        }
        services.AddSingleton<MessagesFeed>();
        services.AddSingleton<IMessageCommitListener>(sp => sp.GetRequiredService<MessagesFeed>());
        services.AddSingleton<MessageService>();

        services.AddSingleton<ITriggerStore, TriggerStore>();
        services.AddSingleton<TriggerScheduler>();
        services.AddSingleton<TriggerService>();
        services.AddSingleton<Messages.IActorInboxSection, TriggerInboxSection>();

        services.AddSingleton<IReviewStore, ReviewStore>();
        services.AddSingleton<ReviewWaiters>();
        services.AddSingleton<ReviewsFeed>();
        services.AddSingleton<ReviewService>();

        services.AddInternalGrpcService<MailboxRpcService>();
        services.AddHostedService<MailboxStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<TriggerScheduler>());
        services.AddSingleton(new UiNavItem("Mailboxes", "/mailboxes", 30));
        services.AddSingleton(new UiNavItem("Reviews", "/reviews", 40));
        return services;
    }

    /// <summary>The mailbox REST API (on the /api/admin group), the Mailboxes and Reviews pages and their live streams.</summary>
    public static void MapMailbox(this WebApplication app, RouteGroupBuilder admin)
    {
        admin.MapActorEndpoints();
        admin.MapMessageEndpoints();
        admin.MapTriggerEndpoints();
        admin.MapReviewEndpoints();
        app.MapMessagesStreams();
        app.MapReviewsStream();
        app.MapMessagesPages();
        app.MapReviewsPages();
    }
}

/// <summary>Opens the mailbox database once the host starts (the host has initialized the database by then) and loads the actor directory.</summary>
internal sealed class MailboxStartup(IHubDatabase database, MailboxDatabase mailbox, IActorStore actors, MessageService messages, ILogger<MailboxStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Idempotent: applies only migrations not yet recorded (the host normally did this already).
        await database.MigrateAsync(cancellationToken);
        await mailbox.StartAsync(cancellationToken);
        await actors.LoadAsync(cancellationToken);
        await messages.StartMetricsAsync(cancellationToken);
        var count = actors.ListActors().Count;
        MailboxLog.Started(logger, count, mailbox.NextMessageIdAtStart);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
