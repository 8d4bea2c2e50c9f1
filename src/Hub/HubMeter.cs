using System.Diagnostics.Metrics;

namespace Mesh.Hub;

/// <summary>
/// The hub's one meter, <c>Mesh.Hub</c>: every capability creates its instruments on it (from the container's
/// <see cref="IMeterFactory"/>, which hands each capability the same meter), and <c>Metrics</c> exports it at
/// <c>/metrics</c> (<see cref="Mesh.Hosting.Metrics.MeshInstruments"/> has the conventions and helpers shared with the node).
/// </summary>
public static class HubMeter
{
    public const string Name = "Mesh.Hub";

    public static Meter Get(IMeterFactory factory) => factory.Create(Name);
}
