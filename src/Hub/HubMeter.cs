using System.Diagnostics.Metrics;

namespace Mesh.Hub;

/// <summary>
/// The hub's one meter, <c>Mesh.Hub</c>: every capability creates its instruments on it (from the container's
/// <see cref="IMeterFactory"/>, which hands each capability the same meter), and <c>Metrics</c> exports it at
/// <c>/metrics</c>. Names are <c>mesh.*</c>, units follow OpenTelemetry (<c>s</c>, <c>By</c>, <c>1</c>,
/// <c>{call}</c>); docs/operations.md lists every instrument.
/// </summary>
public static class HubMeter
{
    public const string Name = "Mesh.Hub";

    /// <summary>Histogram buckets for durations in seconds, 0.5 ms to 5 min (OpenTelemetry's defaults are for milliseconds).</summary>
    public static readonly IReadOnlyList<double> SecondsBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    public static Meter Get(IMeterFactory factory) => factory.Create(Name);

    /// <summary>A histogram of seconds with <see cref="SecondsBuckets"/>.</summary>
    public static Histogram<double> SecondsHistogram(this Meter meter, string name, string description) =>
        meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
}

/// <summary>
/// A capability's observable instruments (gauges read when scraped). Registered in the container; the metrics
/// endpoint resolves them all when it is mapped, which creates the instruments.
/// </summary>
public interface IObservableInstruments;
