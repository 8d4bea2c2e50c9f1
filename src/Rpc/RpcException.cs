namespace Mesh.Rpc;

/// <summary>
/// A call ended with a non-OK gRPC status. Thrown by handlers to return that status to the caller
/// (it passes through unchanged), and thrown by <see cref="RpcChannel"/> calls when the server answered with one.
/// </summary>
public sealed class RpcException : Exception
{
    public RpcException(StatusCode statusCode, string detail, Metadata? trailers = null)
        : this(new Status(statusCode, detail), trailers)
    {
    }

    public RpcException(Status status, Metadata? trailers = null, Exception? innerException = null)
        : base(status.ToString(), innerException)
    {
        Status = status;
        Trailers = trailers ?? new Metadata();
    }

    public Status Status { get; }

    public StatusCode StatusCode => Status.StatusCode;

    public string Detail => Status.Detail;

    /// <summary>Trailers sent with the status (server side: added to the response; client side: as received).</summary>
    public Metadata Trailers { get; }
}
