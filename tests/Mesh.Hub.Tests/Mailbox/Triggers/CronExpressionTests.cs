using Mesh.Hub.Mailbox.Triggers;

namespace Mesh.Hub.Tests.Mailbox.Triggers;

public sealed class CronExpressionTests
{
    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("* * * * *", "2026-01-01T10:00:30Z", "2026-01-01T10:01:00Z")]
    [InlineData("*/15 * * * *", "2026-01-01T10:01:00Z", "2026-01-01T10:15:00Z")]
    [InlineData("0 9 * * mon-fri", "2026-01-02T09:00:00Z", "2026-01-05T09:00:00Z")] // Friday 9:00 → Monday
    [InlineData("30 2 1 * *", "2026-01-15T00:00:00Z", "2026-02-01T02:30:00Z")]
    [InlineData("0 0 29 feb *", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 12 * jan,jul sun", "2026-02-01T00:00:00Z", "2026-07-05T12:00:00Z")]
    [InlineData("5/20 * * * *", "2026-01-01T10:06:00Z", "2026-01-01T10:25:00Z")]
    [InlineData("0 0 * * 7", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z")] // 7 = Sunday
    [InlineData("0 0 13 * fri", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")] // day fields OR: Friday 2 Jan
    [InlineData("59 23 31 12 *", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z")]
    public void Next_ReturnsFirstMatchAfter(string expression, string after, string expected) =>
        Assert.Equal(At(expected), CronExpression.Parse(expression).Next(At(after)));

    [Fact]
    public void Next_ImpossibleDate_IsNull() => Assert.Null(CronExpression.Parse("0 0 30 feb *").Next(At("2026-01-01T00:00:00Z")));

    [Theory]
    [InlineData("* * * *", "needs 5")]
    [InlineData("* * * * * *", "needs 5")]
    [InlineData("60 * * * *", "minute field '60'")]
    [InlineData("* 24 * * *", "hour field '24'")]
    [InlineData("* * 0 * *", "day-of-month field '0'")]
    [InlineData("* * * 13 *", "month field '13'")]
    [InlineData("* * * foo *", "month field 'foo'")]
    [InlineData("* * * * 8", "day-of-week field '8'")]
    [InlineData("*/0 * * * *", "step '0'")]
    [InlineData("5-1 * * * *", "runs backwards")]
    [InlineData("1,,2 * * * *", "empty list item")]
    [InlineData("a * * * *", "'a' is not a number")]
    [InlineData("", "has 0 fields")]
    public void TryParse_Malformed_SaysWhy(string expression, string reason)
    {
        Assert.False(CronExpression.TryParse(expression, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
