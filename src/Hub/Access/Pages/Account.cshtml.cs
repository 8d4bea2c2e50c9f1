namespace Mesh.Hub.Access.Pages;

/// <summary>/account as shown: the outcome of the last change, if any.</summary>
public sealed record AccountModel(string? Message, bool IsError);
