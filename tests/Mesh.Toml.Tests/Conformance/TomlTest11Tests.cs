using Xunit.Abstractions;

namespace Mesh.Toml.Tests.Conformance;

/// <summary>
/// TOML 1.1 is not implemented; this measures how much of toml-test's 1.1 list the 1.0 reader already meets and fails
/// if that ever drops below the figures recorded in docs/conformance.md.
/// </summary>
public sealed class TomlTest11Tests(ITestOutputHelper output)
{
    private const int MeasuredValidPasses = 172;
    private const int MeasuredInvalidPasses = 374;

    [Fact]
    public void Toml11_PassRate_DoesNotRegress()
    {
        Assert.True(TomlTestSuite.Directory is not null, TomlTestSuite.MissingMessage);
        var valid = TomlTestSuite.Cases("1.1.0", "valid");
        var invalid = TomlTestSuite.Cases("1.1.0", "invalid");
        var validFailures = valid.Select(c => (Case: c, Failure: CaseRunner.RunValid(c))).Where(r => r.Failure is not null).ToList();
        var invalidFailures = invalid.Select(c => (Case: c, Failure: CaseRunner.RunInvalid(c))).Where(r => r.Failure is not null).ToList();
        var validPasses = valid.Count - validFailures.Count;
        var invalidPasses = invalid.Count - invalidFailures.Count;

        output.WriteLine($"TOML 1.1: valid {validPasses}/{valid.Count}, invalid {invalidPasses}/{invalid.Count}");
        foreach (var (name, failure) in validFailures.Concat(invalidFailures))
        {
            output.WriteLine($"  {name}: {failure}");
        }

        Assert.True(validPasses >= MeasuredValidPasses, $"TOML 1.1 valid passes dropped to {validPasses}/{valid.Count} (recorded {MeasuredValidPasses}).");
        Assert.True(invalidPasses >= MeasuredInvalidPasses, $"TOML 1.1 invalid passes dropped to {invalidPasses}/{invalid.Count} (recorded {MeasuredInvalidPasses}).");
    }
}
