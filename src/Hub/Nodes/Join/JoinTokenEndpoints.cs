using System.Security.Claims;
using Mesh.Core.Configuration;
using Mesh.Hub.Nodes.Join;

namespace Mesh.Hub.Nodes.Join;

/// <summary>POST/GET/DELETE /api/admin/join-tokens.</summary>
internal static class JoinTokenEndpoints
{
    public sealed record CreateRequest(string? Ttl, int? Uses, string? NodeId);

    public static void MapJoinTokenEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/join-tokens", CreateAsync);
        admin.MapGet("/join-tokens", ListAsync);
        admin.MapDelete("/join-tokens/{id}", RevokeAsync);
    }

    private static async Task<IResult> CreateAsync(CreateRequest? body, JoinTokenService tokens, ClaimsPrincipal user, HttpContext http, TimeProvider time)
    {
        body ??= new CreateRequest(null, null, null);
        var errors = new Dictionary<string, string[]>();
        var ttl = JoinTokenService.DefaultTtl;
        if (body.Ttl is not null && (!DurationText.TryParse(body.Ttl, out ttl) || ttl < TimeSpan.FromMinutes(1) || ttl > JoinTokenService.MaxTtl))
            errors["ttl"] = [$"'{body.Ttl}' is not a duration from 1m to 7d, e.g. \"1h\"."];
        var uses = body.Uses ?? 1;
        if (uses is < 1 or > JoinTokenService.MaxUses)
            errors["uses"] = [$"{uses} is not from 1 to {JoinTokenService.MaxUses}."];
        if (body.NodeId is not null && !NodeIds.IsValidForNode(body.NodeId, out var idError))
            errors["node_id"] = [idError];
        if (errors.Count > 0)
            return Results.ValidationProblem(errors);

        var (info, token) = await tokens.CreateAsync(ttl, uses, body.NodeId, user.Identity?.Name ?? "root", http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted);
        return Results.Json(new CreatedTokenBody(info.Id, token, info.ExpiresAt, info.Uses, info.NodeId), JoinApiJson.Default.CreatedTokenBody, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(JoinTokenService tokens, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var list = await tokens.ListAsync(cancellationToken);
        return Results.Json(new TokenList(list.Select(t => new TokenBody(t.Id, t.StatusAt(now), t.CreatedAt, t.ExpiresAt, t.Uses, t.UsesLeft, t.NodeId, t.CreatedBy, t.LastUsedAt, t.RevokedAt))),
            JoinApiJson.Default.TokenList);
    }

    private static async Task<IResult> RevokeAsync(string id, JoinTokenService tokens, ClaimsPrincipal user, HttpContext http) =>
        await tokens.RevokeAsync(id, user.Identity?.Name ?? "root", http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted)
            ? Results.NoContent()
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"no active join token '{id}'");
}

internal sealed record CreatedTokenBody(string Id, string Token, DateTimeOffset ExpiresAt, int Uses, string? NodeId);

internal sealed record TokenBody(string Id, string Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int Uses, int UsesLeft, string? NodeId, string CreatedBy,
    DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

internal sealed record TokenList(IEnumerable<TokenBody> Tokens);

/// <summary>The join tokens' REST shapes (snake_case, as AdminJson), source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(CreatedTokenBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(TokenList))]
internal sealed partial class JoinApiJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>The body the minimal API binds for POST /api/admin/join-tokens (the JSON options of AddAdminApi), source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower, UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
[System.Text.Json.Serialization.JsonSerializable(typeof(JoinTokenEndpoints.CreateRequest))]
internal sealed partial class JoinBodyJson : System.Text.Json.Serialization.JsonSerializerContext;
