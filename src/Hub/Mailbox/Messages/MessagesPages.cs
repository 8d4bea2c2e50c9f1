using Mesh.Hub.Web;

namespace Mesh.Hub.Mailbox.Messages;

public static class MessagesPages
{
    /// <summary>The Mailboxes page and one actor's inbox page (root creates and deletes actors, sends and acks).</summary>
    public static void MapMessagesPages(this WebApplication app)
    {
        var pages = app.MapUiPages();
        pages.MapPage<Pages.MailboxesModel>("/mailboxes", m => m.OnGetAsync());
        pages.MapForm<Pages.MailboxesModel>("/mailboxes", ("Create", m => m.OnPostCreateAsync()), ("Delete", m => m.OnPostDeleteAsync()));
        pages.MapPage<Pages.ActorInboxModel>("/mailboxes/{actorId}", m => m.OnGetAsync());
        pages.MapForm<Pages.ActorInboxModel>("/mailboxes/{actorId}", ("Send", m => m.OnPostSendAsync()), ("Ack", m => m.OnPostAckAsync()));
    }
}
