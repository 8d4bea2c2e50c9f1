namespace Mesh.Hub.Agents;

public enum AgentError
{
    InvalidArgument,
    NotFound,
    Conflict,
    Unavailable,
}

/// <summary>A refused agent operation, with the field it is about when there is one (REST: 400/404/409).</summary>
public sealed class AgentException(AgentError error, string message, string? field = null) : Exception(message)
{
    public AgentError Error { get; } = error;

    public string? Field { get; } = field;
}
