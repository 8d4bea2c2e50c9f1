using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mesh.Core.Configuration.Toml;
using Tomlyn;

namespace Mesh.TomlTestDecoder;

/// <summary>Writes a TOML document as toml-test's tagged JSON: every leaf is <c>{"type": T, "value": "text"}</c>.</summary>
internal static class TaggedJson
{
    public static string Encode(TomlTableNode root, bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, root);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, TomlNode node)
    {
        switch (node)
        {
            case TomlTableNode table:
                writer.WriteStartObject();
                foreach (var entry in table.Entries)
                {
                    writer.WritePropertyName(entry.Name);
                    Write(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case TomlArrayNode array:
                writer.WriteStartArray();
                foreach (var item in array.Items)
                    Write(writer, item);
                writer.WriteEndArray();
                break;
            case TomlValueNode value:
                var (type, text) = Leaf(value.Value);
                writer.WriteStartObject();
                writer.WriteString("type", type);
                writer.WriteString("value", text);
                writer.WriteEndObject();
                break;
        }
    }

    private static (string Type, string Text) Leaf(object value) => value switch
    {
        string s => ("string", s),
        long i => ("integer", i.ToString(CultureInfo.InvariantCulture)),
        double f => ("float", Float(f)),
        bool b => ("bool", b ? "true" : "false"),
        TomlDateTime d => (DateTimeType(d.Kind), d.ToString()),
        _ => throw new ArgumentException($"Unexpected TOML value {value.GetType().Name}.", nameof(value)),
    };

    private static string Float(double f) =>
        double.IsNaN(f) ? "nan" : double.IsPositiveInfinity(f) ? "inf" : double.IsNegativeInfinity(f) ? "-inf" : f.ToString("R", CultureInfo.InvariantCulture);

    private static string DateTimeType(TomlDateTimeKind kind) => kind switch
    {
        TomlDateTimeKind.OffsetDateTimeByZ or TomlDateTimeKind.OffsetDateTimeByNumber => "datetime",
        TomlDateTimeKind.LocalDateTime => "datetime-local",
        TomlDateTimeKind.LocalDate => "date-local",
        _ => "time-local",
    };
}
