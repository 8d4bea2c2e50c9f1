using System.Diagnostics.Metrics;

namespace Mesh.Node;

/// <summary>
/// The node's one meter, <c>Mesh.Node</c>: each capability creates its instruments on it (from the container's
/// <see cref="IMeterFactory"/>), and <c>Metrics</c> exports it at <c>/metrics</c> on <c>[metrics] node_listen</c>
/// (docs/operations.md lists every instrument). Recording costs next to nothing while nothing exports it.
/// </summary>
public static class NodeMeter
{
    public const string Name = "Mesh.Node";

    public static Meter Get(IMeterFactory factory) => factory.Create(Name);
}
