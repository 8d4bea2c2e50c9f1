using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

/// <summary>A duration too large for a TimeSpan is a configuration problem naming the key's range, in the file and in the environment.</summary>
public sealed class DurationOverflowTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("internal_grpc.auth", "clock_skew", "MESH_INTERNAL_GRPC__AUTH__CLOCK_SKEW", "0s to 5m")]
    [InlineData("internal_grpc.security", "node_certificate_lifetime", "MESH_INTERNAL_GRPC__SECURITY__NODE_CERTIFICATE_LIFETIME", "10s to 30d")]
    public void Load_OverflowingDuration_IsAProblemWithTheRange(string section, string name, string variable, string range)
    {
        var inFile = Single(_dir, $"[{section}]\n{name} = \"99999999999h\"\n");
        var inEnvironment = Single(_dir, "", new() { [variable] = "99999999999h" });

        foreach (var problem in new[] { inFile, inEnvironment })
        {
            Assert.Equal($"{section}.{name}", problem.Key);
            Assert.Contains($"'99999999999h' is out of range: use {range}.", problem.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Load_IntegerBeyondLongInEnvironment_IsOutOfRange()
    {
        var problem = Single(_dir, "", new() { ["MESH_MAILBOX__MAX_PAYLOAD_BYTES"] = "99999999999999999999" });

        Assert.Contains("is out of range: use 1024 to 3145728.", problem.Message, StringComparison.Ordinal);
    }
}
