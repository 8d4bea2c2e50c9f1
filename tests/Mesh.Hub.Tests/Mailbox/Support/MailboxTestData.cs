using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using static Mesh.Hub.Tests.Mailbox.Support.StoreHarness;

namespace Mesh.Hub.Tests.Mailbox.Support;

/// <summary>Requests, teams and refusals the mailbox tests share.</summary>
internal static class MailboxTestData
{
    public static readonly CancellationToken None = CancellationToken.None;

    public static async Task<StoreHarness> TeamAsync(MailboxOptions? options = null)
    {
        var h = await OpenAsync(options: options);
        await h.Actors.CreateActorAsync("lead", "Lead", "t1", "lead", null, None);
        await h.Actors.CreateActorAsync("alice", null, "t1", "worker", null, None);
        await h.Actors.CreateActorAsync("rev", null, "t1", "reviewer", null, None);
        await h.Actors.CreateActorAsync("remote", null, "t1", "worker", "node-a", None);
        await h.Actors.CreateActorAsync("loner", null, null, null, null, None);
        return h;
    }

    public static SendRequest To(string actor, string text, string from = "") => new() { ActorId = from, ToActorId = actor, Payload = text };

    public static async Task<MailboxError> RefusedAsync(Func<Task> action) => (await Assert.ThrowsAsync<MailboxException>(action)).Error;

    public static PermissionRequestRequest Ask(string title) => new()
    {
        Title = title,
        Options = { new PermissionOption { Id = "allow", Label = "Allow" }, new PermissionOption { Id = "deny", Label = "Deny" } },
    };

    public static PermissionRespondRequest Respond(ulong id, string option) => new() { PermissionId = id, OptionId = option };

    public static NewMessage Text(string from, string to, string payload, string? key = null) =>
        new(from, [to], null, null, "default", payload, PayloadKind.Text, key);

    public static async Task AddActorsAsync(StoreHarness h, params string[] ids)
    {
        foreach (var id in ids)
            await h.Actors.CreateActorAsync(id, null, null, null, null, CancellationToken.None);
    }
}
