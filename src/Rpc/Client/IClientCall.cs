namespace Mesh.Rpc.Client;

/// <summary>What the public call objects expose of a running call.</summary>
internal interface IClientCall : IDisposable
{
    Task<Metadata> ResponseHeadersAsync { get; }

    Status GetStatus();

    Metadata GetTrailers();
}
