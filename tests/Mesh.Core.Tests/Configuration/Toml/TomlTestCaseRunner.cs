using System.Text.Json;
using Mesh.Core.Configuration.Toml;
using Mesh.TomlTestDecoder;

namespace Mesh.Core.Tests.Configuration.Toml;

/// <summary>Runs one toml-test document through the configuration reader's parse path; returns null on success or why it failed.</summary>
internal static class TomlTestCaseRunner
{
    public static string? RunValid(string tomlPath, string expectedJsonPath)
    {
        if (!StrictUtf8.TryDecode(File.ReadAllBytes(tomlPath), out var text, out var badByteOffset))
            return $"valid document rejected: invalid UTF-8 at byte {badByteOffset}";
        if (!TomlDocumentParser.TryParse(text, out var root, out var error))
            return $"valid document rejected: {error.ToString(Path.GetFileName(tomlPath))}";

        using var expected = JsonDocument.Parse(File.ReadAllText(expectedJsonPath));
        using var actual = JsonDocument.Parse(TaggedJson.Encode(root));
        var difference = TaggedJsonComparer.Difference(expected.RootElement, actual.RootElement);
        return difference is null ? null : $"decoded value differs: {difference}";
    }

    public static string? RunInvalid(string tomlPath)
    {
        if (!StrictUtf8.TryDecode(File.ReadAllBytes(tomlPath), out var text, out _))
            return null;
        if (TomlDocumentParser.TryParse(text, out var root, out var error))
            return $"invalid document accepted; decoded as {TaggedJson.Encode(root)}";
        if (error.Position.Line < 1 || error.Position.Column < 1 || string.IsNullOrWhiteSpace(error.Message))
            return $"diagnostic without a usable position or message: {error}";
        return null;
    }

    /// <summary>Null when the document parses, else why not.</summary>
    public static string? RunAccepted(string tomlPath)
    {
        if (!StrictUtf8.TryDecode(File.ReadAllBytes(tomlPath), out var text, out var badByteOffset))
            return $"invalid UTF-8 at byte {badByteOffset}";
        return TomlDocumentParser.TryParse(text, out _, out var error) ? null : error.ToString(Path.GetFileName(tomlPath));
    }
}
