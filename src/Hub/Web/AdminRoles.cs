namespace Mesh.Hub.Web;

/// <summary>The two roles of the web UI and REST API, and the policy that requires root (the viewer policy is <see cref="WebAuth.ViewerPolicy"/>).</summary>
public static class AdminRoles
{
    public const string Root = "root";
    public const string Viewer = "viewer";
    public const string RootPolicy = "root";
}
