using Mesh.Core.Tests;
using Mesh.Hub.Web;

namespace Mesh.Hub.Tests.Web;

/// <summary>A just-created secret is shown to its creator only, for fifteen minutes at most, and never holds more than its bound.</summary>
public sealed class RecentSecretsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void CreatorSeesIt_OthersDoNot_UntilKeepRunsOut()
    {
        var clock = new ManualTimeProvider(T0);
        var secrets = new RecentSecrets<string>(clock);

        Assert.Equal(T0 + RecentSecrets<string>.Keep, secrets.Add("t1", "root", "secret-1"));

        Assert.Equal("secret-1", secrets.Find("t1", "root"));
        Assert.Null(secrets.Find("t1", "ops"));
        Assert.Null(secrets.Find("t2", "root"));
        clock.Advance(RecentSecrets<string>.Keep - TimeSpan.FromSeconds(1));
        Assert.Equal("secret-1", secrets.Find("t1", "root"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(secrets.Find("t1", "root"));
    }

    [Fact]
    public void AnEarlierEnd_IsKept()
    {
        var clock = new ManualTimeProvider(T0);
        var secrets = new RecentSecrets<string>(clock);

        Assert.Equal(T0.AddMinutes(2), secrets.Add("t1", "root", "secret-1", until: T0.AddMinutes(2)));
        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Null(secrets.Find("t1", "root"));
    }

    [Fact]
    public void AtTheBound_TheOldestGoesFirst()
    {
        var clock = new ManualTimeProvider(T0);
        var secrets = new RecentSecrets<string>(clock);
        for (var i = 0; i < RecentSecrets<string>.MaxEntries; i++)
        {
            secrets.Add("t" + i, "root", "s" + i);
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        secrets.Add("newest", "root", "s-new");

        Assert.Null(secrets.Find("t0", "root"));
        Assert.Equal("s1", secrets.Find("t1", "root"));
        Assert.Equal("s-new", secrets.Find("newest", "root"));
    }
}
