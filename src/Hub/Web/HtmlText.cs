using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Mesh.Hub.Web;

/// <summary>
/// The small HTML pieces every page and live stream shares: encoding, times (with &lt;time datetime&gt;), byte sizes,
/// percentages and tag lists. Every value from a node, an actor or an operator goes through <see cref="E"/>.
/// </summary>
public static class HtmlText
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    public static string Tags(IEnumerable<string> tags)
    {
        var html = new StringBuilder();
        foreach (var tag in tags)
            html.Append("<span class=\"tag\">").Append(E(tag)).Append("</span> ");
        return html.Length == 0 ? """<span class="muted">—</span>""" : html.ToString();
    }

    public static string Ago(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } value)
            return """<span class="muted">never</span>""";
        var seconds = Math.Max(0, (int)(now - value).TotalSeconds);
        var text = seconds < 120 ? $"{seconds} s ago" : seconds < 7200 ? $"{seconds / 60} min ago" : $"{seconds / 3600} h ago";
        return Time(value, text, ago: true);
    }

    /// <summary>A time as the UI shows it everywhere: <paramref name="text"/>, with the ISO 8601 UTC time in its title (and datetime).</summary>
    public static string Time(DateTimeOffset at, string text, bool ago = false)
    {
        var iso = Iso(at);
        return $"""<time datetime="{iso}" title="{iso}"{(ago ? " data-ago" : "")}>{E(text)}</time>""";
    }

    /// <summary>How long since <paramref name="since"/> ("5 min 3 s"), ticking in the browser, the start time in the title.</summary>
    public static string Uptime(DateTimeOffset since, DateTimeOffset now)
    {
        var s = Math.Max(0, (long)(now - since).TotalSeconds);
        var text = s < 60 ? $"{s} s" : s < 3600 ? $"{s / 60} min {s % 60} s" : s < 86400 ? $"{s / 3600} h {s % 3600 / 60} min" : $"{s / 86400} d {s % 86400 / 3600} h";
        var iso = Iso(since);
        return $"""<time datetime="{iso}" title="{iso}" data-uptime>{text}</time>""";
    }

    /// <summary>An absolute time as the UI shows it when no relative one fits: "2026-12-05 19:52 UTC", ISO 8601 in the title.</summary>
    public static string At(DateTimeOffset? at) =>
        at is { } value ? Time(value, value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)) : """<span class="muted">—</span>""";

    /// <summary>ISO 8601 in UTC to the second, the one format of logs, APIs and titles: 2026-12-05T19:52:14Z.</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    public static string Bytes(long bytes)
    {
        if (bytes <= 0)
            return "0";
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(value < 10 ? "0.#" : "0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    public static string E(string value) => Encoder.Encode(value);
}
