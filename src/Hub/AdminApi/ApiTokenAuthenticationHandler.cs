using System.Security.Claims;
using System.Text.Encodings.Web;
using Mesh.Core.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.AdminApi;

/// <summary>
/// "Authorization: Bearer &lt;token&gt;" for the admin REST API: the configured <c>[admin] api_token</c> (constant-time
/// comparison) or any <see cref="IApiTokenVerifier"/> (tokens created by root in the UI, stored hashed).
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    MeshConfig config,
    IEnumerable<IApiTokenVerifier> verifiers)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("authorization is not a Bearer token");
        var presented = header["Bearer ".Length..].Trim();

        if (config.Admin.ApiToken is { } configured && configured.Matches(presented))
            return Success("api-token", AdminRoles.Root);
        foreach (var verifier in verifiers)
        {
            if (await verifier.VerifyAsync(presented, Context.RequestAborted) is { } principal)
                return Success(principal.Name, principal.Role);
        }

        return AuthenticateResult.Fail("unknown API token");
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"mesh\"";
        return Response.WriteAsJsonAsync(
            new { title = "Unauthorized", status = 401, detail = "Send Authorization: Bearer <api token> ([admin] api_token or a token created in the UI)." },
            (System.Text.Json.JsonSerializerOptions?)null,
            "application/problem+json");
    }

    private AuthenticateResult Success(string name, string role)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}

/// <summary>Checks API tokens other than the configured one (e.g. tokens created in the UI).</summary>
public interface IApiTokenVerifier
{
    Task<(string Name, string Role)?> VerifyAsync(string presented, CancellationToken cancellationToken);
}

public static class AdminRoles
{
    public const string Root = "root";
    public const string Viewer = "viewer";
    public const string RootPolicy = "root";
}
