using Mesh.Core.Auth;
using Mesh.Core.Configuration;

namespace Mesh.Core.Tests.Auth;

/// <summary>The validator remembers accepted tokens; these show the memory never accepts what a fresh check would refuse.</summary>
public sealed class CallTokenCacheTests
{
    private static readonly Secret SecretA = new("q7Vx2LmN9pR4sT1uW8yZ3aB6cD0eF5gH-A");
    private static readonly Secret SecretB = new("Zk3Lp9Qw2Er7Ty5Ui8Op1As4Df6Gh0Jk-B");
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private SigningKeyRing _ring = new(SecretA, []);

    private CallTokenValidator Validator() => new(() => _ring, "mesh", "mesh-internal", TimeSpan.FromSeconds(30), _time);

    private string ActorToken(TimeSpan lifetime) =>
        new CallTokenIssuer("mesh", "mesh-internal", _time).MintWithNodeKey(_ring.DeriveNodeKey("n1"), "n1", CallerScope.Actor, "agent-7", lifetime);

    [Fact]
    public async Task AcceptedToken_IsRememberedOnce_AndGivesTheSameIdentity()
    {
        var validator = Validator();
        var token = ActorToken(TimeSpan.FromMinutes(5));

        var first = await validator.CheckAsync(token);
        var second = await validator.CheckAsync(token);

        Assert.True(second.IsValid, second.Failure);
        Assert.Equal(first.Identity, second.Identity);
        Assert.Equal(1, validator.CachedCount);
    }

    [Fact]
    public async Task RememberedToken_StillExpires()
    {
        var validator = Validator();
        var token = ActorToken(TimeSpan.FromMinutes(5));
        Assert.True((await validator.CheckAsync(token)).IsValid);

        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(31));
        var check = await validator.CheckAsync(token);

        Assert.False(check.IsValid);
        Assert.StartsWith("token expired at ", check.Failure, StringComparison.Ordinal);
        Assert.Equal(0, validator.CachedCount);
    }

    [Fact]
    public async Task RememberedToken_IsRefusedOnceItsKeyIsRotatedOut()
    {
        var validator = Validator();
        var token = ActorToken(TimeSpan.FromMinutes(5));
        Assert.True((await validator.CheckAsync(token)).IsValid);

        _ring = new SigningKeyRing(SecretB, []);
        var check = await validator.CheckAsync(token);

        Assert.False(check.IsValid);
        Assert.Contains("is unknown", check.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedToken_IsNotRemembered_AndATamperedCopyOfAnAcceptedOneIsRefused()
    {
        var validator = Validator();
        var token = ActorToken(TimeSpan.FromMinutes(5));
        Assert.True((await validator.CheckAsync(token)).IsValid);
        // A character in the middle of the signature carries 6 full bits, so the decoded signature changes.
        var at = token.Length - 10;
        var tampered = token[..at] + (token[at] == 'A' ? 'B' : 'A') + token[(at + 1)..];

        var check = await validator.CheckAsync(tampered);

        Assert.False(check.IsValid);
        Assert.Equal(1, validator.CachedCount);
    }

    [Fact]
    public async Task ManyDistinctTokens_KeepTheCacheBounded()
    {
        var validator = Validator();
        for (var i = 0; i < CallTokenValidator.CacheCapacity + 10; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            var token = new CallTokenIssuer("mesh", "mesh-internal", _time).MintWithNodeKey(_ring.DeriveNodeKey("n1"), "n1", CallerScope.Actor, $"agent-{i}", TimeSpan.FromHours(1));
            Assert.True((await validator.CheckAsync(token)).IsValid);
        }

        Assert.InRange(validator.CachedCount, 1, CallTokenValidator.CacheCapacity);
    }
}
