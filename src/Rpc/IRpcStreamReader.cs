using System.Runtime.CompilerServices;

namespace Mesh.Rpc;

/// <summary>Reads a stream of messages (server: the request stream; client: the response stream).</summary>
public interface IRpcStreamReader<out T>
{
    /// <summary>The message read by the last successful <see cref="MoveNextAsync"/>.</summary>
    T Current { get; }

    /// <summary>Advances to the next message; false when the peer ended the stream.</summary>
    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default);
}

public static class RpcStreamReaderExtensions
{
    /// <summary>All remaining messages as an async sequence.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(this IRpcStreamReader<T> reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (await reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.Current;
        }
    }
}
