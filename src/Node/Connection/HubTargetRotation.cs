namespace Mesh.Node.Connection;

/// <summary>
/// The hubs a node may use ([hub] target, in order) and the one it is on. The node stays with a hub while it works
/// and moves on to the next one listed when it cannot connect or loses its session. A hub that fails verification
/// (say, another cluster's CA) is refused; once every hub listed has been refused with no good connection in
/// between, the node stops and says why rather than retrying hubs it must not trust.
/// </summary>
internal sealed class HubTargetRotation
{
    private readonly IReadOnlyList<Uri> _targets;
    private readonly HubDialer[] _dialers;
    private readonly Dictionary<Uri, string> _refused = [];
    private int _index;

    public HubTargetRotation(IReadOnlyList<Uri> targets)
    {
        if (targets.Count == 0)
            throw new ArgumentException("a node needs at least one hub target", nameof(targets));
        _targets = targets;
        _dialers = [.. targets.Select(_ => new HubDialer())];
    }

    public Uri Current => _targets[_index];

    /// <summary>How the current target's connections are opened (its preferred address survives reconnects).</summary>
    public HubDialer Dialer => _dialers[_index];

    /// <summary>Moves to the next hub listed (the same one when only one is) and returns it.</summary>
    public Uri Next()
    {
        _index = (_index + 1) % _targets.Count;
        return Current;
    }

    /// <summary>The current hub worked: earlier refusals no longer add up to "every hub refused".</summary>
    public void Connected() => _refused.Clear();

    /// <summary>Refuses the current hub and moves on; false when every hub listed is now refused.</summary>
    public bool Refuse(string reason)
    {
        _refused[Current] = reason;
        Next();
        return _refused.Count < _targets.Count;
    }

    /// <summary>Why the node stops: the one refusal, or each hub's.</summary>
    public string RefusalSummary =>
        _targets.Count == 1
            ? _refused.Values.Single()
            : "every hub in [hub] target was refused: " + string.Join("; ", _targets.Select(t => _refused[t]));
}
