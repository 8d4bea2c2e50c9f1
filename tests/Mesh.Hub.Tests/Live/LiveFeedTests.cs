using Mesh.Hub.Live;

namespace Mesh.Hub.Tests.Live;

public sealed class LiveFeedTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Publish_EachSubscriberReadsFromItsPosition_InOrder()
    {
        var feed = new LiveFeed<string>(capacity: 8, maxSubscribers: 4);
        feed.Publish("before");
        using var late = feed.TrySubscribe()!;
        using var early = feed.TrySubscribe(after: 0)!;
        feed.Publish("a");
        feed.Publish("b");

        var fromNow = await late.NextAsync(None);
        Assert.Equal(["a", "b"], fromNow.Items.Select(i => i.Value));
        Assert.Equal([2L, 3L], fromNow.Items.Select(i => i.Position));
        Assert.Null(fromNow.DroppedBefore);
        Assert.Equal(["before", "a", "b"], (await early.NextAsync(None)).Items.Select(i => i.Value));
        Assert.Equal(3, early.Position);
    }

    [Fact]
    public async Task SlowReader_FallsAWholeRingBehind_ToldWhatIsGone_MemoryStaysTheRings()
    {
        var feed = new LiveFeed<int>(capacity: 4, maxSubscribers: 2);
        using var slow = feed.TrySubscribe()!;
        for (var i = 1; i <= 10; i++)
            feed.Publish(i);

        var batch = await slow.NextAsync(None);
        Assert.Equal(7, batch.DroppedBefore); // 1..6 were overwritten
        Assert.Equal([7, 8, 9, 10], batch.Items.Select(i => i.Value));
        feed.Publish(11);
        var next = await slow.NextAsync(None);
        Assert.Null(next.DroppedBefore);
        Assert.Equal([11], next.Items.Select(i => i.Value));
    }

    [Fact]
    public async Task CallerPositions_MustIncrease_GapsAllowed()
    {
        var feed = new LiveFeed<string>(capacity: 8, maxSubscribers: 1);
        using var reader = feed.TrySubscribe()!;
        feed.Publish([new LiveItem<string>(100, "x"), new LiveItem<string>(250, "y")]);
        Assert.Equal([100L, 250L], (await reader.NextAsync(None)).Items.Select(i => i.Position));
        Assert.Throws<ArgumentException>(() => feed.Publish([new LiveItem<string>(250, "again")]));
        Assert.Equal(250, feed.Position);
    }

    [Fact]
    public void Subscribers_CappedByTheGate_APlaceFreedOnDispose()
    {
        var feed = new LiveFeed<int>(capacity: 2, maxSubscribers: 2);
        var a = feed.TrySubscribe();
        using var b = feed.TrySubscribe();
        Assert.NotNull(a);
        Assert.Null(feed.TrySubscribe());
        Assert.Equal(2, feed.SubscriberCount);
        a!.Dispose();
        a.Dispose();
        Assert.Equal(1, feed.SubscriberCount);
        using var c = feed.TrySubscribe();
        Assert.NotNull(c);
    }

    [Fact]
    public async Task SharedGate_CapsSeveralFeedsTogether()
    {
        var gate = new LiveGate(maxStreams: 1);
        var first = new LiveFeed<int>(2, gate);
        var second = new LiveFeed<string>(2, gate);
        using var one = first.TrySubscribe();
        Assert.NotNull(one);
        Assert.Null(second.TrySubscribe());
        var nothing = await one!.NextAsync(TimeSpan.FromMilliseconds(20), TimeProvider.System, None);
        Assert.Empty(nothing.Items);
    }
}
