using Microsoft.Extensions.Hosting;

namespace Mesh.Node.Hosting;

/// <summary>A host lifetime without signal handling or console messages: the owner (the hub) stops this host.</summary>
internal sealed class OwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
