using System.Globalization;
using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Mesh.Core.Configuration;
using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

/// <summary>
/// Every duration and integer a configuration or command line carries, fuzzed: a value is parsed exactly, or
/// refused with a message that gives the allowed range; nothing throws, whatever the size of the number.
/// </summary>
public sealed class NumericInputTests : IDisposable
{
    private static readonly (string Unit, long Ticks)[] Units =
    [
        ("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour), ("d", TimeSpan.TicksPerDay),
    ];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Digit strings from 1 to 30 digits (past long and past TimeSpan), leaning on the edges.</summary>
    private static Gen<string> Digits() => Gen.OneOf(
        Gen.Choose(0, 100_000).Select(n => n.ToString(CultureInfo.InvariantCulture)),
        Gen.Elements("0", "9223372036854775807", "9223372036854775808", "922337203685", "99999999999", "10675199", "10675200", "256204778"),
        Gen.Choose(1, 30).SelectMany(length => Gen.ArrayOf(Gen.Elements("0123456789".ToCharArray()), length)).Select(chars => new string(chars)));

    private static Gen<(string Digits, (string Unit, long Ticks) Unit)> Durations() =>
        Digits().SelectMany(digits => Gen.Elements(Units).Select(unit => (digits, unit)));

    [Fact]
    public void DurationText_AnyNumberAndUnit_IsExactOrRefusedAsTooLarge()
    {
        Prop.ForAll(Durations().ToArbitrary(), pair =>
        {
            var text = pair.Digits + pair.Unit.Unit;
            var expected = BigInteger.Parse(pair.Digits, CultureInfo.InvariantCulture) * pair.Unit.Ticks;
            var parsed = DurationText.TryParse(text, out TimeSpan value, out var tooLarge);
            if (expected <= TimeSpan.MaxValue.Ticks)
                return parsed && !tooLarge && value.Ticks == expected;
            return !parsed && tooLarge;
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("99999999999h")]
    [InlineData("99999999999999999999999d")]
    [InlineData("9223372036854775807ms")]
    public void DurationText_Overflow_IsRefusedNotThrown(string text)
    {
        Assert.False(DurationText.TryParse(text, out TimeSpan _));
        Assert.False(DurationText.TryParse(text, out TimeSpan _, out var tooLarge));
        Assert.True(tooLarge);
    }

    [Fact]
    public void Load_AnyDurationOfAnyKey_BindsInsideItsRangeOrNamesTheRange()
    {
        var keys = ConfigSchema.Keys.Where(k => k.Type == ConfigValueType.Duration).ToArray();
        var cases = Durations().SelectMany(d => Gen.Elements(keys).SelectMany(k => Gen.Elements(true, false).Select(env => (d, k, env))));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var text = c.d.Digits + c.d.Unit.Unit;
            var error = TryLoad(c.k, text, c.env);
            var ticks = BigInteger.Parse(c.d.Digits, CultureInfo.InvariantCulture) * c.d.Unit.Ticks;
            var inRange = ticks >= c.k.Range!.Min && ticks <= c.k.Range.Max;
            return inRange ? error is null : error is not null && error.Contains($"use {c.k.Range.Text}", StringComparison.Ordinal);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Load_AnyIntegerOfAnyKey_BindsInsideItsRangeOrNamesTheRange()
    {
        var keys = ConfigSchema.Keys.Where(k => k.Type == ConfigValueType.Integer).ToArray();
        var numbers = Gen.OneOf(
            Digits(),
            Digits().Select(d => "-" + d),
            Gen.Elements("1023", "1024", "3145728", "3145729", "-9223372036854775808", "9223372036854775807"));
        var cases = numbers.SelectMany(n => Gen.Elements(keys).SelectMany(k => Gen.Elements(true, false).Select(env => (n, k, env))));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var value = BigInteger.Parse(c.n, CultureInfo.InvariantCulture);
            // TOML integers are 64-bit: beyond that the file does not parse, which is an error too (tested by the parser).
            if (!c.env && (value > long.MaxValue || value < long.MinValue))
                return true;
            // TOML integers have no leading zeros; the environment takes the digits as written.
            var error = TryLoad(c.k, c.env ? c.n : value.ToString(CultureInfo.InvariantCulture), c.env, quoted: false);
            var inRange = value >= c.k.Range!.Min && value <= c.k.Range.Max;
            return inRange ? error is null : error is not null && error.Contains($"use {c.k.Range.Text}", StringComparison.Ordinal);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Schema_EveryNumericKey_HasARange()
    {
        Assert.All(ConfigSchema.Keys.Where(k => k.Type is ConfigValueType.Duration or ConfigValueType.Integer),
            key => Assert.True(key.Range is not null, $"{key.Path} has no range"));
    }

    /// <summary>Loads a configuration setting one key from the file or the environment: null when it loads, else the messages.</summary>
    private string? TryLoad(ConfigKey key, string text, bool fromEnvironment, bool quoted = true)
    {
        var toml = fromEnvironment ? "" : $"[{key.Section}]\n{key.Name} = {(quoted ? $"\"{text}\"" : text)}\n";
        var env = fromEnvironment ? new Dictionary<string, string?> { [key.EnvironmentVariable] = text } : new Dictionary<string, string?>();
        // [store]'s numeric keys belong to kind = "postgres", which needs a URL.
        if (key.Section == "store")
        {
            env["MESH_STORE__KIND"] = "postgres";
            env["MESH_STORE__URL"] = "postgres://mesh@db/mesh";
        }

        // [hub] output_limit_total must also be at least output_limit_per_run: test each key's own range with the other out of the way.
        if (key.Path == "hub.output_limit_total")
            env["MESH_HUB__OUTPUT_LIMIT_PER_RUN"] = "65536";
        if (key.Path == "hub.output_limit_per_run")
            env["MESH_HUB__OUTPUT_LIMIT_TOTAL"] = "17592186044416";

        try
        {
            Load(_dir, toml, env);
            return null;
        }
        catch (ConfigException ex)
        {
            return string.Join("\n", ex.Problems.Select(p => p.Message));
        }
    }
}
