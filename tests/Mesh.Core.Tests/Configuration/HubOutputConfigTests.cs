using Mesh.Core.Configuration;
using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

/// <summary>[hub] output_limit_per_run and output_limit_total: defaults, ranges and their relation, with the value's position.</summary>
public sealed class HubOutputConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Defaults_are_16_MiB_per_stream_and_4_GiB_in_all()
    {
        var config = Load(_dir, "[server]\nrole = \"hub\"\n");
        Assert.Equal(new HubOutputConfig(16L << 20, 4L << 30), config.HubOutput);
    }

    [Fact]
    public void Set_values_are_taken()
    {
        var config = Load(_dir, "[hub]\noutput_limit_per_run = 1048576\noutput_limit_total = 2097152\n");
        Assert.Equal(new HubOutputConfig(1L << 20, 2L << 20), config.HubOutput);
    }

    [Theory]
    [InlineData("output_limit_per_run = 1000", "output_limit_per_run", 2)]
    [InlineData("output_limit_per_run = 2199023255553", "output_limit_per_run", 2)]
    [InlineData("output_limit_total = 5", "output_limit_total", 2)]
    [InlineData("output_limit_per_run = \"16MiB\"", "output_limit_per_run", 2)]
    [InlineData("output_limit_per_run = 8388608\noutput_limit_total = 4194304", "output_limit_total", 3)]
    public void Bad_values_are_refused_at_their_line(string lines, string key, int line)
    {
        var problem = Single(_dir, "[hub]\n" + lines + "\n");
        Assert.Equal("hub." + key, problem.Key);
        Assert.Equal(line, problem.Location.Line);
        Assert.StartsWith(System.IO.Path.Combine(_dir.Path, "mesh.toml") + $"({line},", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_total_below_the_per_run_default_is_refused_with_both_numbers()
    {
        var problem = Single(_dir, "[hub]\noutput_limit_total = 1048576\n");
        Assert.Contains("output_limit_total (1048576) is less than output_limit_per_run (16777216)", problem.Message, StringComparison.Ordinal);
    }
}
