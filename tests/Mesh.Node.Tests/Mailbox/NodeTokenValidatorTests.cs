using System.Security.Cryptography;
using Mesh.Core.Auth;
using Mesh.Core.Tests;
using Mesh.Node.Mailbox;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mesh.Node.Tests.Mailbox;

/// <summary>The node checks the tokens it queues sends for by the same time rules as the hub.</summary>
public sealed class NodeTokenValidatorTests
{
    private static readonly NodeSigningKey Key = new("n.fp.n1", RandomNumberGenerator.GetBytes(32));
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

    private NodeTokenValidator Validator() => new(Key, "n1", "mesh", "mesh-internal", TimeSpan.FromSeconds(30), _time);

    [Fact]
    public async Task IssuedAYearAhead_IsRefused()
    {
        var now = _time.GetUtcNow();
        var token = Mint(issuedAt: now.AddDays(365), notBefore: null, expires: now.AddDays(365).AddMinutes(30));

        var (actor, failure) = await Validator().CheckAsync("Bearer " + token);

        Assert.Null(actor);
        Assert.StartsWith("token was issued in the future", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LongerThanTheActorMaximum_IsRefused()
    {
        var now = _time.GetUtcNow();
        var token = Mint(issuedAt: now, notBefore: now, expires: now.AddDays(2));

        var (actor, failure) = await Validator().CheckAsync("Bearer " + token);

        Assert.Null(actor);
        Assert.StartsWith("token lifetime exceeds the actor maximum", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotYetValid_IsRefused_ThenAccepted()
    {
        var now = _time.GetUtcNow();
        var token = Mint(issuedAt: now, notBefore: now.AddMinutes(10), expires: now.AddMinutes(40));

        Assert.StartsWith("clock skew: token not valid before", (await Validator().CheckAsync("Bearer " + token)).Failure, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(("a1", (string?)null), await Validator().CheckAsync("Bearer " + token));
    }

    private static string Mint(DateTimeOffset issuedAt, DateTimeOffset? notBefore, DateTimeOffset expires) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "mesh",
            Audience = "mesh-internal",
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = notBefore?.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = new Dictionary<string, object> { ["sub"] = "a1", ["scope"] = "actor", ["node"] = "n1" },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Key.Key) { KeyId = Key.KeyId }, SecurityAlgorithms.HmacSha256),
        });
}
