using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Mailbox.Reviews;
using Mesh.Hub.Tests.Mailbox.Support;
using static Mesh.Hub.Tests.Mailbox.Support.MailboxTestData;
using static Mesh.Hub.Tests.Mailbox.Support.StoreHarness;

namespace Mesh.Hub.Tests.Mailbox.Reviews;

public sealed class ReviewServiceTests
{
    [Fact]
    public async Task Review_ReviewerAnswers_AskerNotifiedAndWaitReturns()
    {
        await using var h = await TeamAsync();
        var review = await h.Reviews.PermissionRequestAsync(Actor("alice"), Ask("push to main?"), None);
        Assert.Equal(["rev"], review.Reviewers);
        var notice = Assert.Single((await h.Messages.InboxAsync(Actor("rev"), new InboxRequest { Channel = ReviewService.PermissionChannel }, None)).Messages);
        Assert.Contains("\"permission_id\":" + review.Id, notice.Payload, StringComparison.Ordinal);

        var wait = h.Reviews.PermissionWaitAsync(Actor("alice"), new PermissionWaitRequest { PermissionId = review.Id }, TimeSpan.FromSeconds(30), None);
        Assert.False(wait.IsCompleted);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Reviews.PermissionRespondAsync(Actor("lead"), Respond(review.Id, "allow"), None)));
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Reviews.PermissionRespondAsync(Actor("alice"), Respond(review.Id, "allow"), None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Reviews.PermissionRespondAsync(Actor("rev"), Respond(review.Id, "maybe"), None)));
        var answered = await h.Reviews.PermissionRespondAsync(Actor("rev"), Respond(review.Id, "allow"), None);
        Assert.Equal("allow", answered.OptionId);
        var waited = await wait.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ReviewStatus.Answered, waited.Status);
        Assert.Equal(MailboxError.FailedPrecondition, await RefusedAsync(() => h.Reviews.PermissionRespondAsync(Root, Respond(review.Id, "deny"), None)));
        var answerNotice = Assert.Single((await h.Messages.InboxAsync(Actor("alice"), new InboxRequest { Channel = ReviewService.PermissionChannel }, None)).Messages);
        Assert.Contains("\"option_id\":\"allow\"", answerNotice.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Review_AskerMayCancel_RootMayAnswerAny_ListIsScoped()
    {
        await using var h = await TeamAsync();
        var first = await h.Reviews.PermissionRequestAsync(Actor("alice"), Ask("one"), None);
        var second = await h.Reviews.PermissionRequestAsync(Actor("loner"), Ask("two"), None);
        Assert.Empty(second.Reviewers);
        Assert.Equal(ReviewStatus.Cancelled, (await h.Reviews.PermissionRespondAsync(Actor("alice"), new PermissionRespondRequest { PermissionId = first.Id, Cancel = true }, None)).Status);
        Assert.Equal(ReviewStatus.Answered, (await h.Reviews.PermissionRespondAsync(Root, Respond(second.Id, "deny"), None)).Status);
        Assert.Empty((await h.Reviews.PermissionListAsync(Actor("rev"), new PermissionListRequest(), None)).Reviews);
        Assert.Single((await h.Reviews.PermissionListAsync(Actor("rev"), new PermissionListRequest { IncludeClosed = true }, None)).Reviews);
        Assert.Equal(2, (await h.Reviews.PermissionListAsync(Root, new PermissionListRequest { IncludeClosed = true }, None)).Reviews.Count);
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Reviews.PermissionRespondAsync(Root, Respond(999, "allow"), None)));
    }

    [Theory]
    [InlineData("", "allow")]
    [InlineData("title", "")]
    [InlineData("title", "bad id!")]
    public async Task Review_BadRequest_InvalidArgument(string title, string optionId)
    {
        await using var h = await TeamAsync();
        var request = new PermissionRequestRequest { Title = title };
        if (optionId.Length > 0)
            request.Options.Add(new PermissionOption { Id = optionId, Label = "L" });
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Reviews.PermissionRequestAsync(Actor("alice"), request, None)));
    }
}
