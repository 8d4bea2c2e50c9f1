using System.Data.Common;

namespace Mesh.Hub.Cluster;

/// <summary>
/// Small notifications between the hubs that serve one mesh ("row X changed", "command Y is waiting"): ids only,
/// the reader fetches the rows from the tables. One hub on SQLite delivers them in-process; hubs on PostgreSQL use
/// LISTEN/NOTIFY. Delivery is not guaranteed by itself: after anything that may have lost notifications (the listening
/// connection dropped, a subscriber fell behind) every affected subscriber is told <see cref="BusNotification.Missed"/>
/// and re-reads its source, which is what makes a reader correct. A hub also receives what it publishes itself.
/// </summary>
public interface IHubBus
{
    /// <summary>Publishes <paramref name="message"/> on <paramref name="channel"/> now (after the write it announces committed).</summary>
    Task PublishAsync(string channel, string message, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes as part of <paramref name="transaction"/> (opened on an <c>IHubDatabase</c> connection): listeners are
    /// told only when it commits, never before the rows they will read, and never if it rolls back. Commit it with
    /// <see cref="CommitAsync"/>.
    /// </summary>
    Task PublishAsync(string channel, string message, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>Commits <paramref name="transaction"/>, then delivers what was published in it.</summary>
    Task CommitAsync(DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="handler"/> for each notification on <paramref name="channel"/>, one at a time, in order, and
    /// with <see cref="BusNotification.Missed"/> whenever some may have been lost (also once the bus first listens).
    /// Dispose the result to stop.
    /// </summary>
    IDisposable Subscribe(string channel, Func<BusNotification, CancellationToken, Task> handler);
}

/// <summary>What a subscriber receives: a message, or (<see cref="Missed"/>) word that messages may have been lost and the source must be re-read.</summary>
public readonly record struct BusNotification(string Channel, string? Message)
{
    public bool Missed => Message is null;

    public static BusNotification MissedOn(string channel) => new(channel, null);
}
