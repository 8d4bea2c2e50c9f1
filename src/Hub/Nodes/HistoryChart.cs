using System.Globalization;
using System.Text;
using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Nodes;

/// <summary>
/// A server-rendered SVG of CPU and memory use over the last hour. Presentation attributes only (the CSP forbids
/// inline styles); each part also has a class, so site.css's colour variables override them in dark mode.
/// </summary>
public static class HistoryChart
{
    private const int Width = 600;
    private const int Height = 160;
    private const int Pad = 28;

    public static string Render(IReadOnlyList<HistoryPoint> points, DateTimeOffset now)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="chart" viewBox="0 0 {Width} {Height}" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">""");
        svg.Append("""<title id="chart-title">CPU and memory use over the last hour</title>""");
        foreach (var level in new[] { 0, 50, 100 })
        {
            var y = Y(level / 100.0);
            svg.Append(CultureInfo.InvariantCulture, $"""<line class="grid" x1="{Pad}" x2="{Width - 4}" y1="{y:0.#}" y2="{y:0.#}" stroke="#d0d7de" stroke-width="1"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="2" y="{y + 4:0.#}" font-size="10" fill="#57606a">{level}%</text>""");
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Pad}" y="{Height - 2}" font-size="10" fill="#57606a">−60 min</text><text x="{Width - 40}" y="{Height - 2}" font-size="10" fill="#57606a">now</text>""");
        if (points.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Width / 2}" y="{Height / 2}" text-anchor="middle" font-size="13" fill="#57606a">No heartbeats in the last hour</text>""");
        }
        else
        {
            svg.Append(Line(points, now, p => p.CpuUsage, "cpu", "#0969da"));
            svg.Append(Line(points, now, p => p.MemoryUsed, "mem", "#8250df"));
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Line(IReadOnlyList<HistoryPoint> points, DateTimeOffset now, Func<HistoryPoint, double> value, string series, string colour)
    {
        var path = new StringBuilder();
        foreach (var point in points)
        {
            var age = (now - point.At).TotalMinutes;
            if (age > 60)
                continue;
            var x = Pad + ((Width - Pad - 4) * (1 - (age / 60)));
            path.Append(path.Length == 0 ? "M" : " L").Append(CultureInfo.InvariantCulture, $"{x:0.#},{Y(value(point)):0.#}");
        }

        return path.Length == 0 ? "" : $"""<path class="{series}" d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>""";
    }

    private static double Y(double fraction) => 8 + ((Height - 24) * (1 - Math.Clamp(fraction, 0, 1)));
}
