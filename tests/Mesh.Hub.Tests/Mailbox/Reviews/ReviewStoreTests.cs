using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Reviews;
using Mesh.Hub.Tests.Mailbox.Support;
using static Mesh.Hub.Tests.Mailbox.Support.MailboxTestData;
using static Mesh.Hub.Tests.Mailbox.Support.StoreHarness;

namespace Mesh.Hub.Tests.Mailbox.Reviews;

public sealed class ReviewStoreTests
{
    [Fact]
    public async Task AnswerReview_Twice_SecondIsFailedPrecondition()
    {
        await using var h = await StoreHarness.OpenAsync();
        await AddActorsAsync(h, "bob");
        var review = await h.ReviewStore.AddReviewAsync(new NewReview("bob", null, "deploy?", "", [new PermissionOption { Id = "allow", Label = "Allow" }], null), CancellationToken.None);
        var answered = await h.ReviewStore.AnswerReviewAsync(review.Id, "allow", "root", CancellationToken.None);
        Assert.Equal(ReviewStatus.Answered, answered.Status);
        var again = await Assert.ThrowsAsync<MailboxException>(() => h.ReviewStore.AnswerReviewAsync(review.Id, null, "root", CancellationToken.None));
        Assert.Equal(MailboxError.FailedPrecondition, again.Error);
    }
}
