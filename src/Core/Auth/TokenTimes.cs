using Microsoft.IdentityModel.JsonWebTokens;

namespace Mesh.Core.Auth;

/// <summary>
/// The time rules every Mesh token passes, on the hub and on a node: an expiry is required; it has not passed;
/// nbf has come; iat is not in the future; and the time from the later of iat and nbf to exp is within the
/// scope's maximum. All comparisons allow the configured clock skew.
/// </summary>
public static class TokenTimes
{
    /// <summary>The expiry, or the reason the token's times are not acceptable.</summary>
    public static (DateTimeOffset Expires, string? Failure) Check(JsonWebToken jwt, CallerScope scope, DateTimeOffset now, TimeSpan skew)
    {
        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp))
            return (default, "token has no expiry");
        var expires = FromUnix(exp);
        if (now > expires + skew)
            return (expires, $"token expired at {Mesh.Core.TimeText.Iso(expires)}");

        DateTimeOffset? notBefore = jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var nbf) ? FromUnix(nbf) : null;
        if (notBefore is { } start && now + skew < start)
            return (expires, $"clock skew: token not valid before {Mesh.Core.TimeText.Iso(start)} (hub time {Mesh.Core.TimeText.Iso(now)})");

        DateTimeOffset? issuedAt = jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iat) ? FromUnix(iat) : null;
        if (issuedAt is { } issued && issued > now + skew)
            return (expires, $"token was issued in the future ({Mesh.Core.TimeText.Iso(issued)}, hub time {Mesh.Core.TimeText.Iso(now)}); fix the clock of whoever minted it");

        // Counted from the later of iat and nbf (or from now when it has neither), so no claim stretches the usable window.
        var from = Later(issuedAt, notBefore) ?? now;
        if (expires - from > TokenLifetimes.Max(scope) + TimeSpan.FromSeconds(1))
            return (expires, $"token lifetime exceeds the {scope.ToClaim()} maximum of {TokenLifetimes.Max(scope)}");
        return (expires, null);
    }

    private static DateTimeOffset FromUnix(long seconds) =>
        seconds is >= -62135596800 and <= 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : seconds < 0 ? DateTimeOffset.MinValue : DateTimeOffset.MaxValue;

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
