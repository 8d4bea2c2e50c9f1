using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mesh.Hub.Hosting;

/// <summary>Liveness and readiness for load balancers and process supervisors (no authentication).</summary>
internal static class HubStatusEndpoints
{
    public static void MapHubStatus(this WebApplication app)
    {
        // Alive: the process answers. Restarting it would not bring a lost store back.
        app.MapGet("/healthz", () => Results.Text("ok\n"));

        // Ready: the same checks as grpc.health.v1 (store open and reachable, CA valid, not stopping); 503 says why not.
        app.MapGet("/readyz", async (HealthCheckService health, CancellationToken cancellationToken) =>
        {
            var report = await health.CheckHealthAsync(cancellationToken);
            if (report.Status == HealthStatus.Healthy)
                return Results.Text("ready\n");
            var reasons = report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy).Select(e => e.Description ?? e.Status.ToString());
            return Results.Text("not ready: " + string.Join("; ", reasons) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}
