using System.Text.Json;
using Mesh.Toml.TestDecoder;

namespace Mesh.Toml.Tests.Conformance;

/// <summary>Runs one toml-test case through <see cref="TomlParser"/>; returns null on success or why it failed.</summary>
internal static class CaseRunner
{
    public static string? RunValid(string caseName)
    {
        var toml = File.ReadAllBytes(TomlTestSuite.FilePath(caseName, ".toml"));
        var expectedJson = File.ReadAllText(TomlTestSuite.FilePath(caseName, ".json"));
        if (!TomlParser.TryParse(toml, caseName + ".toml", out var root, out var diagnostics))
        {
            return $"valid document rejected: {string.Join(" | ", diagnostics)}";
        }

        using var expected = JsonDocument.Parse(expectedJson);
        using var actual = JsonDocument.Parse(TaggedJson.Encode(root));
        var difference = TaggedJsonComparer.Difference(expected.RootElement, actual.RootElement);
        return difference is null ? null : $"decoded value differs: {difference}";
    }

    public static string? RunInvalid(string caseName)
    {
        var toml = File.ReadAllBytes(TomlTestSuite.FilePath(caseName, ".toml"));
        if (TomlParser.TryParse(toml, caseName + ".toml", out var root, out var diagnostics))
        {
            return $"invalid document accepted; decoded as {TaggedJson.Encode(root)}";
        }

        if (diagnostics.Count == 0)
        {
            return "rejected without a diagnostic";
        }

        var d = diagnostics[0];
        if (d.Span.Start.Line < 1 || d.Span.Start.Column < 1 || string.IsNullOrWhiteSpace(d.Message))
        {
            return $"diagnostic without a usable position or message: {d}";
        }

        return null;
    }
}
