namespace Mesh.Core.Auth;

/// <summary>Longest lifetime a token of each scope may claim; longer ones are refused even if validly signed.</summary>
public static class TokenLifetimes
{
    /// <summary>Node call tokens are re-minted per connection/call.</summary>
    public static readonly TimeSpan Node = TimeSpan.FromMinutes(5);

    /// <summary>Actor tokens handed to agent processes (refreshed by the node while the process runs).</summary>
    public static readonly TimeSpan Actor = TimeSpan.FromHours(24);

    /// <summary>Root tokens minted from the configuration for one CLI invocation or automation run.</summary>
    public static readonly TimeSpan Root = TimeSpan.FromHours(1);

    public static TimeSpan Max(CallerScope scope) => scope switch
    {
        CallerScope.Node => Node,
        CallerScope.Actor => Actor,
        _ => Root,
    };
}
