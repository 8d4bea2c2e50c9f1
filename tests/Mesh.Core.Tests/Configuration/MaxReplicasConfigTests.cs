using Mesh.Core.Configuration;
using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

/// <summary>[hub] max_replicas: the default, a set value, the environment override, and out-of-range values refused at their line.</summary>
public sealed class MaxReplicasConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Default_is_100()
    {
        Assert.Equal(100, Load(_dir, "[server]\nrole = \"hub\"\n").MaxReplicas);
    }

    [Fact]
    public void A_set_value_is_taken()
    {
        Assert.Equal(7, Load(_dir, "[hub]\nmax_replicas = 7\n").MaxReplicas);
        Assert.Equal(10_000, Load(_dir, "[hub]\nmax_replicas = 10000\n").MaxReplicas);
    }

    [Theory]
    [InlineData("max_replicas = 0", "'0' is out of range: use 1 to 10000")]
    [InlineData("max_replicas = -3", "use 1 to 10000")]
    [InlineData("max_replicas = 10001", "'10001' is out of range: use 1 to 10000")]
    [InlineData("max_replicas = \"100\"", "integer")]
    public void Bad_values_are_refused_at_their_line(string line, string text)
    {
        var problem = Single(_dir, "# replicas\n[hub]\n" + line + "\n");
        Assert.Equal("hub.max_replicas", problem.Key);
        Assert.Equal(3, problem.Location.Line);
        Assert.StartsWith(System.IO.Path.Combine(_dir.Path, "mesh.toml") + "(3,", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains(text, problem.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
