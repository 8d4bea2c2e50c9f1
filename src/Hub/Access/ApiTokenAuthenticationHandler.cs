using System.Security.Claims;
using System.Text.Encodings.Web;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

using Mesh.Hub.Web;

namespace Mesh.Hub.Access;

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
    public const string SchemeName = WebAuth.ApiTokenScheme;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken.FromHeader(Request.Headers.Authorization, out var failure) is not { } presented)
            return failure is null ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(failure);

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
        return new ProblemBody("Unauthorized", 401, "Send Authorization: Bearer <api token> ([admin] api_token or a token created in the UI).").WriteAsync(Response);
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
