using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Hub.Audit;

/// <summary>
/// GET /api/admin/audit?limit=100&amp;before=&lt;id&gt;&amp;by=&amp;action=&amp;target=&amp;since=&amp;until=: newest
/// first, filtered as <see cref="AuditFilter"/> says.
/// </summary>
internal static class AuditEndpoints
{
    public static void MapAuditEndpoints(this RouteGroupBuilder admin) =>
        admin.MapGet("/audit", async (IAuditLog audit, int? limit, long? before, string? by, string? action, string? target, string? since, string? until,
            CancellationToken cancellationToken) =>
        {
            if (limit is < 1 or > 1000)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["must be from 1 to 1000"] });
            var (filter, problems) = AuditFilter.Parse(by, action, target, since, until);
            if (filter is null)
                return Results.ValidationProblem(problems!);
            var entries = await audit.ListAsync(limit ?? 100, before, filter, cancellationToken);
            return Results.Json(new AuditList(entries), AuditJson.Default.AuditList);
        });
}

internal sealed record AuditList(IReadOnlyList<AuditEntry> Entries);

/// <summary>The REST shapes of the audit log, source-generated with AdminJson's options (snake_case).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AuditList))]
internal sealed partial class AuditJson : JsonSerializerContext;
