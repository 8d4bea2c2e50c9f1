using Mesh.Core.Configuration;

namespace Mesh.Core.Tests.Configuration;

public sealed class SuggestionsTests
{
    [Theory]
    [InlineData("lisen", "listen")]
    [InlineData("roel", "role")]
    [InlineData("DATA_DIR", "data_dir")]
    [InlineData("nodeid", "node_id")]
    public void Closest_FindsNearTypos(string typo, string expected) =>
        Assert.Equal(expected, Suggestions.Closest(typo, ["role", "listen", "node_id", "data_dir"]));

    [Fact]
    public void Closest_UnrelatedWord_SuggestsNothing() =>
        Assert.Null(Suggestions.Closest("banana", ["role", "listen", "node_id", "data_dir"]));
}
