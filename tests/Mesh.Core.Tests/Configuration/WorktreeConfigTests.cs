using Mesh.Core.Configuration;
using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

/// <summary>[worktree] quota and usage_interval: bound when given, defaults when not, bad values refused at start-up with file(line,col).</summary>
public sealed class WorktreeConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void QuotaAndInterval_Bound_DefaultsWhenAbsent()
    {
        var config = Load(_dir, "[worktree]\ndefault_root = \"/srv/wt\"\nquota = 53687091200\nusage_interval = \"90s\"\n");
        Assert.Equal(53_687_091_200, config.Worktree.Quota);
        Assert.Equal(TimeSpan.FromSeconds(90), config.Worktree.UsageInterval);

        var defaults = Load(_dir, "[worktree]\ndefault_root = \"/srv/wt\"\n");
        Assert.Null(defaults.Worktree.Quota);
        Assert.Equal(TimeSpan.FromMinutes(5), defaults.Worktree.UsageInterval);
    }

    [Theory]
    [InlineData("quota = 1000", "worktree.quota", 3, 9, "out of range: use 1048576 to 1125899906842624")]
    [InlineData("quota = \"50GiB\"", "worktree.quota", 3, 9, "expected an integer")]
    [InlineData("quota = -1", "worktree.quota", 3, 9, "out of range")]
    [InlineData("usage_interval = \"1s\"", "worktree.usage_interval", 3, 18, "out of range: use 10s to 1d")]
    [InlineData("usage_interval = \"often\"", "worktree.usage_interval", 3, 18, "not a duration")]
    public void BadValue_RefusedWithFileLineAndColumn(string line, string key, int row, int column, string expected)
    {
        var problem = Single(_dir, $"[worktree]\ndefault_root = \"/srv/wt\"\n{line}\n");

        Assert.Equal(key, problem.Key);
        Assert.Equal((row, column), (problem.Location.Line, problem.Location.Column));
        Assert.StartsWith(Path.Combine(_dir.Path, "mesh.toml") + $"({row},{column}): error:", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }
}
