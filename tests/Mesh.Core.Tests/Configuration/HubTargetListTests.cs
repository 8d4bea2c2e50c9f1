using Mesh.Core.Configuration;
using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

/// <summary>[hub] target: one hub or a list of hubs serving one mesh; each bad element is named where it is written.</summary>
public sealed class HubTargetListTests : IDisposable
{
    private const string Node = "[server]\nrole = \"node\"\nnode_id = \"n1\"\n[hub]\n";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Target_OneString_IsAListOfOne()
    {
        var config = Load(_dir, Node + "target = \"https://hub-a:50051\"\n");

        Assert.Equal([new Uri("https://hub-a:50051")], config.Hub.Targets);
        Assert.Equal(new Uri("https://hub-a:50051"), config.Hub.Target);
    }

    [Fact]
    public void Target_List_KeepsItsOrder()
    {
        var config = Load(_dir, Node + "target = [\"https://hub-b:50051\", \"https://hub-a:50051\", \"https://10.0.0.7:443\"]\n");

        Assert.Equal([new Uri("https://hub-b:50051"), new Uri("https://hub-a:50051"), new Uri("https://10.0.0.7:443")], config.Hub.Targets);
        Assert.Contains("hub https://hub-b:50051/, https://hub-a:50051/, https://10.0.0.7/", config.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Target_ListWithBadElements_EachNamedAtItsLineAndColumn()
    {
        var problems = Problems(_dir, Node + "target = [\n  \"https://hub-a:50051\",\n  \"hub-b:50051\",\n    \"http://hub-c:50051\",\n  \"https://hub-a:50051\",\n]\n");

        Assert.Equal(3, problems.Count);
        Assert.All(problems, p => Assert.Equal("hub.target", p.Key));
        Assert.Equal((7, 3), (problems[0].Location.Line, problems[0].Location.Column));
        Assert.Contains("'hub-b:50051' has no scheme. Use 'https://hub-b:50051'", problems[0].Message, StringComparison.Ordinal);
        Assert.Equal((8, 5), (problems[1].Location.Line, problems[1].Location.Column));
        Assert.Contains("uses http; the internal API is always TLS", problems[1].Message, StringComparison.Ordinal);
        Assert.Equal((9, 3), (problems[2].Location.Line, problems[2].Location.Column));
        Assert.Contains("'https://hub-a:50051' is listed twice", problems[2].Message, StringComparison.Ordinal);
        Assert.EndsWith("mesh.toml(7,3): error: hub.target: address 'hub-b:50051' has no scheme. Use 'https://hub-b:50051'.", problems[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Target_EmptyList_SaysToListAHub()
    {
        var problem = Single(_dir, Node + "target = []\n");

        Assert.Equal(("hub.target", 5, 10), (problem.Key, problem.Location.Line, problem.Location.Column));
        Assert.Contains("lists no hub", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Target_ListWithANumber_NamesTheType()
    {
        var problem = Problems(_dir, Node + "target = [\"https://hub-a:50051\", 50051]\n")[0];

        Assert.Equal(("hub.target", 5, 10), (problem.Key, problem.Location.Line, problem.Location.Column));
        Assert.Contains("expected a string or an array of strings, but an element is an integer", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hub-a:50051,https://hub-b:50051")]
    [InlineData("[\"https://hub-a:50051\", \"https://hub-b:50051\"]")]
    public void Target_FromTheEnvironment_CommaListOrTomlArray(string value)
    {
        var config = Load(_dir, Node + "target = \"https://other:1\"\n", new Dictionary<string, string?> { ["MESH_HUB__TARGET"] = value });

        Assert.Equal([new Uri("https://hub-a:50051"), new Uri("https://hub-b:50051")], config.Hub.Targets);
    }

    [Fact]
    public void Target_BadElementFromTheEnvironment_NamesTheVariable()
    {
        var problem = Single(_dir, Node + "target = \"https://other:1\"\n", new Dictionary<string, string?> { ["MESH_HUB__TARGET"] = "https://hub-a:50051,hub-b" });

        Assert.Equal("env MESH_HUB__TARGET", problem.Location.ToString());
        Assert.Contains("'hub-b' has no scheme", problem.Message, StringComparison.Ordinal);
    }
}
