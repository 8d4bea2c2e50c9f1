namespace Mesh.Core.Auth;

/// <summary>
/// The one reading of an <c>Authorization</c> header (HTTP) or <c>authorization</c> metadata (gRPC):
/// "Bearer &lt;token&gt;", the scheme in any case, the token trimmed. The hub's REST handler, the call-token
/// validator and the node's local endpoint all read bearer tokens through it.
/// </summary>
public static class BearerToken
{
    public const string Scheme = "Bearer";

    /// <summary>Why a header that is present was not read (fit for a log; never contains the header).</summary>
    public const string NotBearer = "authorization is not a Bearer token";

    /// <summary>
    /// The token of "Bearer &lt;token&gt;"; null when the header is missing or empty (<paramref name="failure"/> null)
    /// or names another scheme (<paramref name="failure"/> says so).
    /// </summary>
    public static string? FromHeader(string? authorization, out string? failure)
    {
        failure = null;
        if (string.IsNullOrEmpty(authorization))
            return null;
        if (authorization.Length <= Scheme.Length || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || authorization[Scheme.Length] != ' ')
        {
            failure = NotBearer;
            return null;
        }

        return authorization[(Scheme.Length + 1)..].Trim();
    }
}
