namespace Mesh.Hub.Cluster;

/// <summary>How long a hub's lease lasts and how often it renews it (renewal well inside the lease, so a slow round trip does not lose it).</summary>
public sealed class ClusterOptions
{
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A problem with these values, or null.</summary>
    public string? Problem() =>
        LeaseDuration <= TimeSpan.Zero || RenewInterval <= TimeSpan.Zero ? "lease duration and renew interval must be positive"
        : RenewInterval * 2 > LeaseDuration ? $"renew interval {RenewInterval.TotalSeconds} s must be at most half the lease duration {LeaseDuration.TotalSeconds} s"
        : null;
}
