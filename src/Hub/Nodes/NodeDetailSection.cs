using RazorSlices;

namespace Mesh.Hub.Nodes;

/// <summary>
/// A section another capability adds to the node detail page without the Nodes capability knowing it: a slice the
/// capability renders for the node id (<see cref="Render"/>), in <see cref="Order"/>. Registered with
/// <c>services.AddSingleton(new NodeDetailSection(nodeId => SomeSlice.Create(nodeId), order))</c>.
/// </summary>
public sealed record NodeDetailSection(Func<string, RazorSlice> Render, int Order);
