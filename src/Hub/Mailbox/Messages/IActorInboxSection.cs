namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// A section another mailbox capability adds to an actor's inbox page (its time triggers): the page lists what is
/// registered, so the inbox does not depend on the capabilities built on it.
/// </summary>
public interface IActorInboxSection
{
    /// <summary>The section's HTML, every value encoded.</summary>
    Task<string> RenderAsync(string actorId, CancellationToken cancellationToken);
}
