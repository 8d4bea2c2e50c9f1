namespace Mesh.Hub.Nodes;

/// <summary>
/// A section another capability adds to the node detail page without the Nodes capability knowing it: a partial
/// view (absolute path, e.g. "/Agents/Pages/_NodeAgents.cshtml") rendered with the node id as its model, in
/// <see cref="Order"/>. Registered with <c>services.AddSingleton(new NodeDetailSection(path, order))</c>.
/// </summary>
public sealed record NodeDetailSection(string PartialView, int Order);
