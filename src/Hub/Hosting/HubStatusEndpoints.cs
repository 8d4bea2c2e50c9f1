namespace Mesh.Hub.Hosting;

/// <summary>Liveness for load balancers and process supervisors (no authentication, no state).</summary>
internal static class HubStatusEndpoints
{
    public static void MapHubStatus(this WebApplication app) =>
        app.MapGet("/healthz", () => Results.Text("ok\n"));
}
