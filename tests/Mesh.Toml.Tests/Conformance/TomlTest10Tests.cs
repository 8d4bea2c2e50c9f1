using Xunit.Abstractions;

namespace Mesh.Toml.Tests.Conformance;

/// <summary>Every case toml-test lists for TOML 1.0.0 (shared/toml-test/files-toml-1.0.0).</summary>
public sealed class TomlTest10Tests(ITestOutputHelper output)
{
    public static TheoryData<string> ValidCases => TomlTestSuite.TheoryCases("1.0.0", "valid");

    public static TheoryData<string> InvalidCases => TomlTestSuite.TheoryCases("1.0.0", "invalid");

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Valid_Document_DecodesToExpectedJson(string caseName)
    {
        Assert.True(caseName != TomlTestSuite.Missing, TomlTestSuite.MissingMessage);
        var failure = CaseRunner.RunValid(caseName);
        Assert.True(failure is null, $"{caseName}: {failure}");
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Invalid_Document_IsRejected(string caseName)
    {
        Assert.True(caseName != TomlTestSuite.Missing, TomlTestSuite.MissingMessage);
        var failure = CaseRunner.RunInvalid(caseName);
        Assert.True(failure is null, $"{caseName}: {failure}");
        TomlParser.TryParse(File.ReadAllBytes(TomlTestSuite.FilePath(caseName, ".toml")), caseName + ".toml", out _, out var diagnostics);
        output.WriteLine(diagnostics[0].ToString());
    }

    [Fact]
    public void Suite_ListsTheExpectedNumberOfCases()
    {
        Assert.True(TomlTestSuite.Directory is not null, TomlTestSuite.MissingMessage);
        Assert.Equal(169, TomlTestSuite.Cases("1.0.0", "valid").Count);
        Assert.Equal(379, TomlTestSuite.Cases("1.0.0", "invalid").Count);
    }
}
