using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.Hub.Tests.Metrics;

/// <summary>The samples of a Prometheus text-format scrape, for reading a value by metric name and labels.</summary>
public sealed partial class PrometheusText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    public PrometheusText(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            _samples.Add((match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
    }

    public string Text { get; }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include every pair given ("key=value"); 0 when none.</summary>
    public double Sum(string name, params string[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l[..l.IndexOf('=')]) == l[(l.IndexOf('=') + 1)..])).Sum(s => s.Value);

    public bool Has(string name, params string[] labels) =>
        _samples.Any(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l[..l.IndexOf('=')]) == l[(l.IndexOf('=') + 1)..]));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
