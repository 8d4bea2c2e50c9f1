namespace Mesh.Core.Configuration;

/// <summary>The values a numeric key accepts (durations in ticks), with the hint shown when one is outside.</summary>
public sealed record ConfigRange(long Min, long Max, string Text, string Hint)
{
    public static ConfigRange Duration(TimeSpan min, TimeSpan max, string hint) =>
        new(min.Ticks, max.Ticks, $"{DurationText.Format(min)} to {DurationText.Format(max)}", hint);

    public static ConfigRange Integer(long min, long max, string hint) => new(min, max, $"{min} to {max}", hint);

    public bool Contains(long value) => value >= Min && value <= Max;

    public string OutOfRange(string written) => $"'{written}' is out of range: use {Text}. {Hint}";
}
