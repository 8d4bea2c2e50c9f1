using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;

namespace Mesh.Core.Tests.Auth;

public sealed class CallTokenTests
{
    private static readonly Secret SecretA = new("q7Vx2LmN9pR4sT1uW8yZ3aB6cD0eF5gH-A");
    private static readonly Secret SecretB = new("Zk3Lp9Qw2Er7Ty5Ui8Op1As4Df6Gh0Jk-B");
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private SigningKeyRing _ring = new(SecretA, []);

    private CallTokenIssuer Issuer(string iss = "mesh", string aud = "mesh-internal") => new(iss, aud, _time);

    private CallTokenValidator Validator() => new(() => _ring, "mesh", "mesh-internal", TimeSpan.FromSeconds(30), _time);

    [Fact]
    public async Task RootToken_RoundTrips()
    {
        var token = Issuer().MintWithRootKey(_ring, CallerScope.Root, "root", TimeSpan.FromMinutes(5));

        var check = await Validator().CheckAuthorizationAsync("Bearer " + token);

        Assert.True(check.IsValid, check.Failure);
        Assert.Equal(CallerScope.Root, check.Identity!.Scope);
        Assert.Equal("root", check.Identity.Subject);
        Assert.Null(check.Identity.NodeId);
        Assert.Equal(_time.GetUtcNow().AddMinutes(5), check.Identity.ExpiresAt);
    }

    [Fact]
    public async Task NodeToken_SignedWithDerivedKey_IdentifiesTheNode()
    {
        var key = _ring.DeriveNodeKey("gpu-01");
        var token = Issuer().MintWithNodeKey(key, "gpu-01", CallerScope.Node, "gpu-01", TimeSpan.FromMinutes(5));

        var check = await Validator().CheckAsync(token);

        Assert.True(check.IsValid, check.Failure);
        Assert.Equal(("gpu-01", "gpu-01"), (check.Identity!.Subject, check.Identity.NodeId));
    }

    [Fact]
    public async Task ActorToken_MintedByNode_CarriesTheNode()
    {
        var token = Issuer().MintWithNodeKey(_ring.DeriveNodeKey("n1"), "n1", CallerScope.Actor, "agent-7", TimeSpan.FromHours(1));

        var check = await Validator().CheckAsync(token);

        Assert.True(check.IsValid, check.Failure);
        Assert.Equal((CallerScope.Actor, "agent-7", "n1"), (check.Identity!.Scope, check.Identity.Subject, check.Identity.NodeId));
    }

    [Fact]
    public void NodeKey_CannotMintRootTokens() =>
        Assert.Throws<ArgumentException>(() => Issuer().MintWithNodeKey(_ring.DeriveNodeKey("n1"), "n1", CallerScope.Root, "root", TimeSpan.FromMinutes(1)));

    [Fact]
    public async Task NodeKey_SigningForAnotherNode_IsRejected()
    {
        var stolen = _ring.DeriveNodeKey("n1");
        var token = Sign(new { sub = "n2", scope = "node", node = "n2" }, stolen.KeyId, stolen.Key);

        var check = await Validator().CheckAsync(token);

        Assert.Equal("token node claim 'n2' does not match its signing key's node 'n1'", check.Failure);
    }

    [Fact]
    public async Task NodeKey_ClaimingRoot_IsRejected()
    {
        var key = _ring.DeriveNodeKey("n1");
        var token = Sign(new { sub = "root", scope = "root", node = "n1" }, key.KeyId, key.Key);

        Assert.Equal("node 'n1' key cannot sign root tokens", (await Validator().CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task NodeKeyId_WithForgedNodeName_FailsSignature()
    {
        var key = _ring.DeriveNodeKey("n1");
        var token = Sign(new { sub = "n2", scope = "node", node = "n2" }, SigningKeyRing.NodeKeyId(_ring.CurrentFingerprint, "n2"), key.Key);

        Assert.Equal("token signature does not match (wrong key)", (await Validator().CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task AlgNone_IsRejected()
    {
        var header = B64(new { alg = "none", typ = "JWT", kid = _ring.RootKeyId });
        var payload = B64(Payload(new { sub = "root", scope = "root" }));

        var check = await Validator().CheckAsync($"{header}.{payload}.");

        Assert.Equal("token algorithm 'none' is not accepted (only HS256)", check.Failure);
    }

    [Fact]
    public async Task Hs512WithTheRightKey_IsRejected()
    {
        var token = Sign(new { sub = "root", scope = "root" }, _ring.RootKeyId, SecretA.RevealBytes(), "HS512");

        Assert.Equal("token algorithm 'HS512' is not accepted (only HS256)", (await Validator().CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task WrongKey_IsRejected()
    {
        var token = Sign(new { sub = "root", scope = "root" }, _ring.RootKeyId, SecretB.RevealBytes());

        Assert.Equal("token signature does not match (wrong key)", (await Validator().CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task UnknownKeyId_IsRejected()
    {
        var other = new SigningKeyRing(SecretB, []);
        var token = Issuer().MintWithRootKey(other, CallerScope.Root, "root", TimeSpan.FromMinutes(5));

        var check = await Validator().CheckAsync(token);

        Assert.StartsWith($"token key id '{other.RootKeyId}' is unknown", check.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_IsRejectedAfterTheSkew()
    {
        var token = Issuer().MintWithRootKey(_ring, CallerScope.Root, "root", TimeSpan.FromMinutes(5));

        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(29));
        Assert.True((await Validator().CheckAsync(token)).IsValid);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("token expired at 2026-11-22T12:05:00Z", (await Validator().CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task FutureDated_IsRejectedWithClockSkewMessage()
    {
        var future = new ManualTimeProvider(_time.GetUtcNow().AddMinutes(2));
        var token = new CallTokenIssuer("mesh", "mesh-internal", future).MintWithRootKey(_ring, CallerScope.Root, "root", TimeSpan.FromMinutes(5));

        var check = await Validator().CheckAsync(token);

        Assert.StartsWith("clock skew: token not valid before 2026-11-22T12:02:00", check.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongAudience_IsRejected()
    {
        var token = Issuer(aud: "other").MintWithRootKey(_ring, CallerScope.Root, "root", TimeSpan.FromMinutes(5));

        Assert.Equal("token audience is wrong", (await Validator().CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task WrongIssuer_IsRejected()
    {
        var token = Issuer(iss: "evil").MintWithRootKey(_ring, CallerScope.Root, "root", TimeSpan.FromMinutes(5));

        Assert.Equal("token issuer is wrong", (await Validator().CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task LifetimeBeyondTheScopeMaximum_IsRejected()
    {
        var key = _ring.DeriveNodeKey("n1");
        var token = Sign(new { sub = "n1", scope = "node", node = "n1" }, key.KeyId, key.Key, lifetime: TimeSpan.FromHours(1));

        Assert.StartsWith("token lifetime exceeds the node maximum", (await Validator().CheckAsync(token)).Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Basic abc")]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer a.b.c")]
    public async Task Malformed_IsRejectedWithoutThrowing(string authorization)
    {
        var check = await Validator().CheckAuthorizationAsync(authorization);

        Assert.False(check.IsValid);
        Assert.DoesNotContain("not-a-jwt", check.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_PreviousSecretStillValidates_UntilRemoved()
    {
        var oldNodeKey = _ring.DeriveNodeKey("n1");
        var token = Issuer().MintWithNodeKey(oldNodeKey, "n1", CallerScope.Node, "n1", TimeSpan.FromMinutes(5));

        _ring = new SigningKeyRing(SecretB, [SecretA]);
        Assert.True((await Validator().CheckAsync(token)).IsValid);
        Assert.NotEqual(oldNodeKey.KeyId, _ring.DeriveNodeKey("n1").KeyId);

        _ring = new SigningKeyRing(SecretB, []);
        Assert.False((await Validator().CheckAsync(token)).IsValid);
    }

    [Fact]
    public async Task IssuedAYearAheadWithoutNotBefore_IsRejected()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var year = (long)TimeSpan.FromDays(365).TotalSeconds;
        var token = SignTimes(new { sub = "root", scope = "root" }, iat: now + year, nbf: null, exp: now + year + 1800);

        var check = await Validator().CheckAsync(token);

        Assert.False(check.IsValid);
        Assert.StartsWith("token was issued in the future", check.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IssuedWithinTheClockSkew_IsAccepted()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var token = SignTimes(new { sub = "root", scope = "root" }, iat: now + 20, nbf: null, exp: now + 1800);

        Assert.True((await Validator().CheckAsync(token)).IsValid);
    }

    [Fact]
    public async Task NotBeforeLongAfterIssued_LifetimeCountedFromTheLaterOfTheTwo()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        // Usable from nbf (2 h ahead) for 30 minutes: within the 1 h root maximum.
        var token = SignTimes(new { sub = "root", scope = "root" }, iat: now, nbf: now + 7200, exp: now + 9000);

        Assert.StartsWith("clock skew: token not valid before", (await Validator().CheckAsync(token)).Failure, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromHours(2));
        Assert.True((await Validator().CheckAsync(token)).IsValid);
    }

    [Fact]
    public async Task NoExpiry_IsRejectedAsSuch()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var token = SignTimes(new { sub = "root", scope = "root" }, iat: now, nbf: now, exp: null);

        Assert.Equal("token has no expiry", (await Validator().CheckAsync(token)).Failure);
    }

    [Fact]
    public void NodeSigningKey_ToString_HidesTheKey() =>
        Assert.DoesNotContain("Key =", _ring.DeriveNodeKey("n1").ToString().Replace("KeyId =", "", StringComparison.Ordinal), StringComparison.Ordinal);

    private Dictionary<string, object> Payload(object claims, TimeSpan? lifetime = null)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var dict = JsonSerializer.SerializeToElement(claims).EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value.GetString()!);
        dict["iss"] = "mesh";
        dict["aud"] = "mesh-internal";
        dict["iat"] = now;
        dict["nbf"] = now;
        dict["exp"] = now + (long)(lifetime ?? TimeSpan.FromMinutes(5)).TotalSeconds;
        return dict;
    }

    private string Sign(object claims, string kid, byte[] key, string alg = "HS256", TimeSpan? lifetime = null)
    {
        var signingInput = $"{B64(new { alg, typ = "JWT", kid })}.{B64(Payload(claims, lifetime))}";
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = alg == "HS512" ? HMACSHA512.HashData(key, data) : HMACSHA256.HashData(key, data);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    /// <summary>A root-key HS256 token with exactly the given times (null leaves the claim out).</summary>
    private string SignTimes(object claims, long? iat, long? nbf, long? exp)
    {
        var payload = Payload(claims);
        foreach (var (name, value) in new[] { ("iat", iat), ("nbf", nbf), ("exp", exp) })
        {
            if (value is null)
                payload.Remove(name);
            else
                payload[name] = value.Value;
        }

        var signingInput = $"{B64(new { alg = "HS256", typ = "JWT", kid = _ring.RootKeyId })}.{B64(payload)}";
        return $"{signingInput}.{Base64Url(HMACSHA256.HashData(SecretA.RevealBytes(), Encoding.ASCII.GetBytes(signingInput)))}";
    }

    private static string B64(object value) => Base64Url(JsonSerializer.SerializeToUtf8Bytes(value));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
