namespace Mesh.Node.Hosting;

/// <summary>How a node host runs: as the process (<see cref="Process"/>) or inside the hub as its embedded node.</summary>
public sealed record NodeHostOptions
{
    /// <summary>A node process: reacts to SIGTERM itself and serves [internal_grpc] health_listen.</summary>
    public static NodeHostOptions Process { get; } = new();

    /// <summary>The hub's own node: the hub stops it, and the hub's health listener already answers probes.</summary>
    public static NodeHostOptions Embedded { get; } = new() { OwnedByAnotherHost = true, ServeHealthListener = false };

    /// <summary>Another host (the hub) stops this one; it does not handle SIGTERM or print the host's start-up lines.</summary>
    public bool OwnedByAnotherHost { get; init; }

    public bool ServeHealthListener { get; init; } = true;
}
