namespace Mesh.Core.Auth;

/// <summary>What a token lets its bearer do.</summary>
public enum CallerScope
{
    /// <summary>Minted from the cluster shared secret by whoever holds the hub configuration: may act for anyone.</summary>
    Root,

    /// <summary>A node's own calls (session, renewal, relays).</summary>
    Node,

    /// <summary>One actor: its own inbox, sending as itself, reviews assigned to it.</summary>
    Actor,
}

public static class CallerScopes
{
    public static string ToClaim(this CallerScope scope) => scope switch
    {
        CallerScope.Root => "root",
        CallerScope.Node => "node",
        _ => "actor",
    };

    public static bool TryParse(string? claim, out CallerScope scope)
    {
        switch (claim)
        {
            case "root":
                scope = CallerScope.Root;
                return true;
            case "node":
                scope = CallerScope.Node;
                return true;
            case "actor":
                scope = CallerScope.Actor;
                return true;
            default:
                scope = default;
                return false;
        }
    }
}
