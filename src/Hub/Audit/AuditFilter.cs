using System.Globalization;

namespace Mesh.Hub.Audit;

/// <summary>
/// Which audit entries a list keeps: by whom, which action and which target (each exact), and from <see cref="Since"/>
/// up to (not including) <see cref="Until"/>. A null part keeps every entry.
/// </summary>
public sealed record AuditFilter(string? By = null, string? Action = null, string? Target = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null)
{
    public static readonly AuditFilter Any = new();

    public bool IsAny => this == Any;

    /// <summary>
    /// The filter from query values (blank means any). Times are a UTC day (<c>2026-12-05</c>: since its start, until
    /// its end) or an ISO 8601 time with its offset. Null and the problem per field when a value is not one of those.
    /// </summary>
    public static (AuditFilter? Filter, Dictionary<string, string[]>? Problems) Parse(string? by, string? action, string? target, string? since, string? until)
    {
        var problems = new Dictionary<string, string[]>();
        var from = Time(since, "since", endOfDay: false, problems);
        var to = Time(until, "until", endOfDay: true, problems);
        if (from is { } f && to is { } t && t <= f)
            problems["until"] = ["must be later than since"];
        return problems.Count > 0 ? (null, problems) : (new AuditFilter(Blank(by), Blank(action), Blank(target), from, to), null);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTimeOffset? Time(string? value, string field, bool endOfDay, Dictionary<string, string[]> problems)
    {
        if (Blank(value) is not { } text)
            return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(endOfDay ? 1 : 0);
        if (text.Contains('T', StringComparison.Ordinal) && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            return at.ToUniversalTime();
        problems[field] = [$"'{DisplayText.Truncate(text)}' is not a day (2026-12-05) or an ISO 8601 time with its offset (2026-12-05T19:52:14Z)"];
        return null;
    }
}
