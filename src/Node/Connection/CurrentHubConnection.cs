using Mesh.Core.Auth;

namespace Mesh.Node.Connection;

/// <summary>
/// What the node's loops share about the hub right now: the live connection (replaced on every reconnect and
/// certificate renewal; null while there is none) and the node's signing key (known from the stored identity even
/// while the hub is away). <see cref="NodeAgent"/> writes it; the local mailbox endpoint reads it, and every
/// <see cref="IHubConnectionListener"/> is told when a connection is up.
/// </summary>
public sealed class CurrentHubConnection(IEnumerable<IHubConnectionListener> listeners)
{
    private readonly IHubConnectionListener[] _listeners = [.. listeners];
    private IHubConnection? _connection;
    private volatile NodeSigningKey? _signingKey;

    /// <summary>A holder nobody listens to (tests, tools).</summary>
    public CurrentHubConnection()
        : this([])
    {
    }

    public IHubConnection? Connection => Volatile.Read(ref _connection);

    public NodeSigningKey? SigningKey => _signingKey;

    public void SetSigningKey(NodeSigningKey key) => _signingKey = key;

    public void Set(IHubConnection connection)
    {
        Volatile.Write(ref _connection, connection);
        foreach (var listener in _listeners)
            listener.OnConnected();
    }

    /// <summary>Forgets <paramref name="connection"/> if it is still the current one (it is about to be disposed).</summary>
    public void Clear(IHubConnection connection) => Interlocked.CompareExchange(ref _connection, null, connection);
}
