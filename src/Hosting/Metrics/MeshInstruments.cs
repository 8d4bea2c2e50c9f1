using System.Diagnostics.Metrics;

namespace Mesh.Hosting.Metrics;

/// <summary>
/// What the hub's and the node's instruments share: names are <c>mesh.*</c>, units follow OpenTelemetry (<c>s</c>,
/// <c>By</c>, <c>1</c>, <c>{call}</c>); docs/operations.md lists every instrument of both meters.
/// </summary>
public static class MeshInstruments
{
    /// <summary>Histogram buckets for durations in seconds, 0.5 ms to 5 min (OpenTelemetry's defaults are for milliseconds).</summary>
    public static readonly IReadOnlyList<double> SecondsBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    /// <summary>A histogram of seconds with <see cref="SecondsBuckets"/>.</summary>
    public static Histogram<double> SecondsHistogram(this Meter meter, string name, string description) =>
        meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>A one-label measurement, the common case of the Mesh instruments.</summary>
    public static Measurement<T> Tagged<T>(T value, string key, string tag)
        where T : struct => new(value, new KeyValuePair<string, object?>(key, tag));
}

/// <summary>
/// A capability's observable instruments (gauges read when scraped). Registered in the container; the metrics
/// endpoint resolves them all when it is mapped, which creates the instruments.
/// </summary>
public interface IObservableInstruments;
