using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mesh.Toml.TestDecoder;

/// <summary>Writes a TOML document as toml-test's tagged JSON: every leaf is <c>{"type": T, "value": "text"}</c>.</summary>
public static class TaggedJson
{
    public static string Encode(TomlTable root, bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, root);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void Write(Utf8JsonWriter writer, TomlNode node)
    {
        switch (node)
        {
            case TomlTable table:
                writer.WriteStartObject();
                foreach (var (key, value) in table)
                {
                    writer.WritePropertyName(key);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case TomlArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                var (type, text) = Leaf(node);
                writer.WriteStartObject();
                writer.WriteString("type", type);
                writer.WriteString("value", text);
                writer.WriteEndObject();
                break;
        }
    }

    private static (string Type, string Text) Leaf(TomlNode node) => node switch
    {
        TomlString s => ("string", s.Value),
        TomlInteger i => ("integer", i.ToString()),
        TomlFloat f => ("float", f.ToString()),
        TomlBoolean b => ("bool", b.ToString()),
        TomlDateTime { Kind: TomlKind.OffsetDateTime } d => ("datetime", d.Text),
        TomlDateTime { Kind: TomlKind.LocalDateTime } d => ("datetime-local", d.Text),
        TomlDateTime { Kind: TomlKind.LocalDate } d => ("date-local", d.Text),
        TomlDateTime d => ("time-local", d.Text),
        _ => throw new ArgumentException($"Unexpected TOML node {node.Kind}.", nameof(node)),
    };
}
