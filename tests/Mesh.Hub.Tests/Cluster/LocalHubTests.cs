using Mesh.Core.Tests;
using Mesh.Hub.Cluster;

namespace Mesh.Hub.Tests.Cluster;

public sealed class LocalHubTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_NoFile_MakesAnIdOnce_AndKeepsIt()
    {
        var made = LocalHub.Load(_dir.Path);
        var again = LocalHub.Load(_dir.Path);

        Assert.Equal(made.Id, again.Id);
        Assert.True(LocalHub.IsValid(made.Id), made.Id);
        Assert.Equal(made.Id + "\n", File.ReadAllText(Path.Combine(_dir.Path, LocalHub.FileName)));
    }

    [Fact]
    public void Load_FileHoldsSomethingElse_RefusedNamingTheFile()
    {
        _dir.Write(LocalHub.FileName, "Hub A!\n");

        var refused = Assert.Throws<HubIdException>(() => LocalHub.Load(_dir.Path));

        Assert.Equal($"{Path.Combine(_dir.Path, LocalHub.FileName)} holds 'Hub A!', not a hub id (1–48 of a-z, 0-9, '-'). Fix it, or delete the file and the hub makes a new id.", refused.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("UPPER")]
    [InlineData("has space")]
    [InlineData("a123456789012345678901234567890123456789012345678")]
    public void IsValid_NotLowercaseDigitsOrDashWithin48_False(string id) => Assert.False(LocalHub.IsValid(id));
}
