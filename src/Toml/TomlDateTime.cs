namespace Mesh.Toml;

/// <summary>One of the four TOML date-time kinds; <see cref="Kind"/> tells which value property is meaningful.</summary>
public sealed class TomlDateTime : TomlNode
{
    internal TomlDateTime(TomlKind kind, DateTimeOffset offsetValue, DateTime localDateTimeValue, DateOnly dateValue, TimeOnly timeValue, string text, TomlSpan span)
        : base(span)
    {
        Kind = kind;
        OffsetValue = offsetValue;
        LocalDateTimeValue = localDateTimeValue;
        DateValue = dateValue;
        TimeValue = timeValue;
        Text = text;
    }

    public override TomlKind Kind { get; }

    /// <summary>Valid when <see cref="Kind"/> is <see cref="TomlKind.OffsetDateTime"/>.</summary>
    public DateTimeOffset OffsetValue { get; }

    /// <summary>Valid when <see cref="Kind"/> is <see cref="TomlKind.LocalDateTime"/> (<see cref="DateTimeKind.Unspecified"/>).</summary>
    public DateTime LocalDateTimeValue { get; }

    /// <summary>Valid for <see cref="TomlKind.LocalDate"/>, and the date part of both date-time kinds.</summary>
    public DateOnly DateValue { get; }

    /// <summary>Valid for <see cref="TomlKind.LocalTime"/>, and the time part of both date-time kinds.</summary>
    public TimeOnly TimeValue { get; }

    /// <summary>Normalized RFC 3339 text: 'T' separator, 'Z' upper case, fractional seconds as written.</summary>
    public string Text { get; }

    public override string ToString() => Text;
}
