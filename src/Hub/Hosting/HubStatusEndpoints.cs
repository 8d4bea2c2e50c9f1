namespace Mesh.Hub.Hosting;

/// <summary>Liveness and a plain status page that says what this build of the hub serves.</summary>
internal static class HubStatusEndpoints
{
    public static void MapHubStatus(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/", () => Results.Text(
            """
            Mesh hub

            This build serves: configuration, this status page, /healthz.
            Not yet in this build: the operator web UI, the node registry, node joining and the actor mailboxes.
            """));
    }
}
