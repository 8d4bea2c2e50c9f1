using Mesh.Core.Auth;

namespace Mesh.Core.Tests.Auth;

public sealed class BearerTokenTests
{
    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("BEARER  abc  ", "abc")]
    [InlineData("Bearer ", "")]
    public void FromHeader_BearerScheme_TokenTrimmed(string header, string token)
    {
        Assert.Equal(token, BearerToken.FromHeader(header, out var failure));
        Assert.Null(failure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void FromHeader_Missing_NullWithoutFailure(string? header)
    {
        Assert.Null(BearerToken.FromHeader(header, out var failure));
        Assert.Null(failure);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearerabc")]
    [InlineData("Token abc")]
    public void FromHeader_OtherScheme_NullWithReason(string header)
    {
        Assert.Null(BearerToken.FromHeader(header, out var failure));
        Assert.Equal(BearerToken.NotBearer, failure);
    }
}
