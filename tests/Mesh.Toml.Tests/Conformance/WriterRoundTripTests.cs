using System.Text.Json;
using Mesh.Toml.TestDecoder;

namespace Mesh.Toml.Tests.Conformance;

/// <summary>Every valid toml-test 1.0 document survives parse → <see cref="TomlWriter"/> → parse unchanged.</summary>
public sealed class WriterRoundTripTests
{
    public static TheoryData<string> ValidCases => TomlTestSuite.TheoryCases("1.0.0", "valid");

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Write_ValidDocument_ParsesBackToTheSameValues(string caseName)
    {
        Assert.True(caseName != TomlTestSuite.Missing, TomlTestSuite.MissingMessage);
        var original = TomlParser.Parse(File.ReadAllBytes(TomlTestSuite.FilePath(caseName, ".toml")), caseName);
        var written = TomlWriter.Write(original);

        Assert.True(TomlParser.TryParse(written, "written.toml", out var reparsed, out var diagnostics), $"{string.Join("\n", diagnostics)}\n---\n{written}");
        using var expected = JsonDocument.Parse(File.ReadAllText(TomlTestSuite.FilePath(caseName, ".json")));
        using var actual = JsonDocument.Parse(TaggedJson.Encode(reparsed));
        var difference = TaggedJsonComparer.Difference(expected.RootElement, actual.RootElement);
        Assert.True(difference is null, $"{difference}\n---\n{written}");
    }
}
