namespace Mesh.Hub.Audit;

/// <summary>Where an audit entry's target lives in the UI, when it is an object with a page of its own.</summary>
public static class AuditLinks
{
    public static string? Target(string action, string? target)
    {
        if (string.IsNullOrEmpty(target))
            return null;
        var id = Uri.EscapeDataString(target);
        return action switch
        {
            AuditActions.AgentDeleted or AuditActions.NodeProvisioningFailed => null, // gone, or never there
            _ when action.StartsWith("node.", StringComparison.Ordinal) => "/nodes/" + id,
            _ when action.StartsWith("agent.", StringComparison.Ordinal) => "/agents/" + id,
            _ when action.StartsWith("join_token.", StringComparison.Ordinal) => "/join",
            _ when action.StartsWith("ui_user.", StringComparison.Ordinal) || action.StartsWith("api_token.", StringComparison.Ordinal) => "/access",
            "actor.created" or "message.acked" => "/mailboxes/" + id,
            "review.answered" => "/reviews",
            _ => null,
        };
    }
}
