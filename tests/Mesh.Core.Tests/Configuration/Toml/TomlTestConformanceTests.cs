namespace Mesh.Core.Tests.Configuration.Toml;

/// <summary>Every toml-test case of Debian's golang-github-burntsushi-toml-dev, one theory row per case.</summary>
public sealed class TomlTestConformanceTests
{
    public static TheoryData<string> ValidCases => DebianTomlTestSuite.TheoryCases("valid", _ => true);

    public static TheoryData<string> InvalidCases =>
        DebianTomlTestSuite.TheoryCases("invalid", name => !DebianTomlTestSuite.ValidSinceToml11.ContainsKey(name));

    public static TheoryData<string> ValidSinceToml11Cases =>
        DebianTomlTestSuite.TheoryCases("invalid", DebianTomlTestSuite.ValidSinceToml11.ContainsKey);

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Valid_Document_DecodesToExpectedJson(string caseName) =>
        AssertPasses(caseName, path => TomlTestCaseRunner.RunValid(path, Path.ChangeExtension(path, ".json")));

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Invalid_Document_IsRejectedWithAPosition(string caseName) =>
        AssertPasses(caseName, TomlTestCaseRunner.RunInvalid);

    [Theory]
    [MemberData(nameof(ValidSinceToml11Cases))]
    public void InvalidInToml10_ValidInToml11_IsAccepted(string caseName) =>
        AssertPasses(caseName, path => TomlTestCaseRunner.RunAccepted(path) is { } failure
            ? $"rejected although {DebianTomlTestSuite.ValidSinceToml11[caseName]}: {failure}"
            : null);

    [Fact]
    public void Suite_HasTheExpectedCasesAndEveryNamedDifferenceExists()
    {
        Assert.True(DebianTomlTestSuite.IsInstalled, DebianTomlTestSuite.MissingMessage);
        Assert.Equal(100, DebianTomlTestSuite.Cases("valid").Count);
        var invalid = DebianTomlTestSuite.Cases("invalid");
        Assert.Equal(234, invalid.Count);
        Assert.All(DebianTomlTestSuite.ValidSinceToml11.Keys, name => Assert.Contains(name, invalid));
    }

    private static void AssertPasses(string caseName, Func<string, string?> run)
    {
        Assert.True(caseName != DebianTomlTestSuite.Missing, DebianTomlTestSuite.MissingMessage);
        var failure = run(DebianTomlTestSuite.FilePath(caseName, ".toml"));
        Assert.True(failure is null, $"{caseName}: {failure}");
    }
}
