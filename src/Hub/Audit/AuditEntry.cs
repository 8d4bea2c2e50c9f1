namespace Mesh.Hub.Audit;

/// <summary>One audited event: who did what to which target, from where.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string? Target, string? Source, string? Details);
