using Mesh.Hub.Web;

namespace Mesh.Hub.Audit.Pages;

/// <summary>The audit log as shown: newest first, filtered by the query (by, action, target, since, until) and paged by id.</summary>
public sealed class AuditModel
{
    public int PageSize => 100;

    public IReadOnlyList<AuditEntry> Entries { get; init; } = [];

    public AuditFilter Filter { get; init; } = AuditFilter.Any;

    /// <summary>What is wrong with the filter, field by field (the list is not shown then).</summary>
    public IReadOnlyDictionary<string, string[]> Problems { get; init; } = new Dictionary<string, string[]>();

    public DateTimeOffset Now { get; init; }

    /// <summary>The since and until fields as typed.</summary>
    public string Since { get; init; } = "";

    public string Until { get; init; } = "";

    /// <summary>This page's address with the current filter, <paramref name="change"/> applied (null removes a key).</summary>
    public string Link(params (string Key, string? Value)[] change)
    {
        var query = new Dictionary<string, string?>
        {
            ["by"] = Filter.By, ["action"] = Filter.Action, ["target"] = Filter.Target, ["since"] = Since, ["until"] = Until,
        };
        foreach (var (key, value) in change)
            query[key] = value;
        var parts = query.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!));
        return "/audit" + (parts.Any() ? "?" + string.Join("&", parts) : "");
    }
}

/// <summary>GET /audit (the viewer role may read it).</summary>
internal static class AuditPages
{
    public static void Map(RouteGroupBuilder pages) => pages.MapPage("/audit", async http =>
    {
        var q = http.Request.Query;
        string? Get(string key) => UiPages.Query(http, key);
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var (since, until) = (q["since"].FirstOrDefault() ?? "", q["until"].FirstOrDefault() ?? "");
        var (filter, problems) = AuditFilter.Parse(Get("by"), Get("action"), Get("target"), Get("since"), Get("until"));
        if (filter is null)
            return UiPages.Render(Audit.Create(new AuditModel { Now = now, Problems = problems!, Since = since, Until = until }), StatusCodes.Status400BadRequest);
        long? before = long.TryParse(Get("before"), System.Globalization.CultureInfo.InvariantCulture, out var b) ? b : null;
        var model = new AuditModel { Now = now, Filter = filter, Since = since, Until = until };
        return UiPages.Render(Audit.Create(new AuditModel
        {
            Now = now, Filter = filter, Since = since, Until = until,
            Entries = await http.RequestServices.GetRequiredService<IAuditLog>().ListAsync(model.PageSize, before, filter, http.RequestAborted),
        }));
    });
}
