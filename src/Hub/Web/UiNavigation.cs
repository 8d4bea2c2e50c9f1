namespace Mesh.Hub.Web;

/// <summary>
/// One entry of the UI's top navigation. Capabilities add theirs with
/// <c>services.AddSingleton(new UiNavItem("Mailboxes", "/mailboxes", 30))</c>; the layout shows them by order.
/// </summary>
public sealed record UiNavItem(string Title, string Path, int Order, bool RootOnly = false);
