using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Reviews;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>Permission reviews: stored with their options, answered or cancelled once, listed pending and closed.</summary>
public abstract class ReviewStoreContract : MailboxStoreContract
{
    private Task<PermissionReview> AskAsync(string title) => Hub.Reviews.AddReviewAsync(new NewReview(A("bob"), "team-r", title, "details of " + title,
        [new PermissionOption { Id = "allow", Label = "Allow" }, new PermissionOption { Id = "deny", Label = "Deny" }], "run-3"), None);

    private async Task<List<string>> ClosedTitlesAsync() =>
        (await Hub.Reviews.ListRecentClosedReviewsAsync(1000, None)).Where(r => r.AskerActorId == A("bob")).Select(r => r.Title).ToList();

    [Fact]
    public async Task Add_ThenGet_EveryFieldAndOptionsInOrder()
    {
        var asked = await AskAsync("deploy?");

        var stored = (await Hub.Reviews.GetReviewAsync(asked.Id, None))!;

        Assert.Equal((A("bob"), "team-r", "deploy?", "details of deploy?", ReviewStatus.Pending, "run-3", T0.ToUnixTimeMilliseconds()),
            (stored.AskerActorId, stored.TeamId, stored.Title, stored.Details, stored.Status, stored.RunId, stored.CreatedAtUnixMs));
        Assert.Equal(["allow:Allow", "deny:Deny"], stored.Options.Select(o => o.Id + ":" + o.Label));
        Assert.Equal(asked, stored);
        Assert.Null(await Hub.Reviews.GetReviewAsync(ulong.MaxValue / 4, None));
    }

    [Fact]
    public async Task AnswerReview_Twice_SecondIsFailedPrecondition()
    {
        var review = await AskAsync("deploy?");
        Clock.Advance(TimeSpan.FromSeconds(3));

        var answered = await Hub.Reviews.AnswerReviewAsync(review.Id, "allow", "root", None);
        var again = await Assert.ThrowsAsync<MailboxException>(() => Hub.Reviews.AnswerReviewAsync(review.Id, null, "root", None));

        Assert.Equal((ReviewStatus.Answered, "allow", "root", T0.AddSeconds(3).ToUnixTimeMilliseconds()),
            (answered.Status, answered.OptionId, answered.AnsweredBy, answered.AnsweredAtUnixMs));
        Assert.Equal(MailboxError.FailedPrecondition, again.Error);
        Assert.Contains("already answered 'allow' by root", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswerReview_UnknownOptionOrReview_RefusedAndStillPending()
    {
        var review = await AskAsync("deploy?");

        var option = await Assert.ThrowsAsync<MailboxException>(() => Hub.Reviews.AnswerReviewAsync(review.Id, "maybe", "root", None));
        var unknown = await Assert.ThrowsAsync<MailboxException>(() => Hub.Reviews.AnswerReviewAsync(ulong.MaxValue / 4, "allow", "root", None));

        Assert.Equal((MailboxError.InvalidArgument, MailboxError.NotFound), (option.Error, unknown.Error));
        Assert.Equal(ReviewStatus.Pending, (await Hub.Reviews.GetReviewAsync(review.Id, None))!.Status);
    }

    [Fact]
    public async Task List_PendingOnlyOrAll_ClosedNewestFirst()
    {
        var first = await AskAsync("one");
        var second = await AskAsync("two");
        var third = await AskAsync("three");
        await Hub.Reviews.AnswerReviewAsync(first.Id, "deny", "root", None);
        await Hub.Reviews.AnswerReviewAsync(third.Id, null, "root", None);

        var pending = (await Hub.Reviews.ListReviewsAsync(false, None)).Where(r => r.AskerActorId == A("bob")).Select(r => r.Id);
        var all = (await Hub.Reviews.ListReviewsAsync(true, None)).Where(r => r.AskerActorId == A("bob")).Select(r => r.Id);

        Assert.Equal([second.Id], pending);
        Assert.Equal([first.Id, second.Id, third.Id], all);
        Assert.Equal(["three", "one"], await ClosedTitlesAsync());
        Assert.Equal(ReviewStatus.Cancelled, (await Hub.Reviews.GetReviewAsync(third.Id, None))!.Status);
    }
}

public sealed class SqliteReviewStoreTests : ReviewStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresReviewStoreTests(PostgresServer server) : ReviewStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);
}
