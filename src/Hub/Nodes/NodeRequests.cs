using System.Buffers;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Core.Configuration;

namespace Mesh.Hub.Nodes;

/// <summary>Body of POST /api/admin/agent-nodes and PUT /api/admin/agent-nodes/{id}; also the UI's register/edit forms.</summary>
public sealed record NodeSettingsRequest(
    string? Id,
    string? Name,
    string? GrpcTarget,
    string? TlsServerName,
    string? DefaultWorktreeRoot,
    IReadOnlyDictionary<string, string>? Labels);

/// <summary>Field-by-field validation with messages that say how to fix the value.</summary>
public static class NodeRequestValidation
{

    private static readonly SearchValues<char> HostChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-");
    private static readonly SearchValues<char> LabelKeyChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-");

    /// <summary>Reads a strict snake_case JSON body; unknown fields and wrong types are errors naming the field.</summary>
    public static async Task<(NodeSettingsRequest? Request, Dictionary<string, string[]>? Errors)> ReadAsync(HttpRequest request)
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return (null, new() { ["body"] = ["send a JSON object with Content-Type: application/json"] });
        try
        {
            var body = await JsonSerializer.DeserializeAsync(request.Body, NodeRequestJson.Default.NodeSettingsRequest, request.HttpContext.RequestAborted);
            return body is null ? (null, new() { ["body"] = ["the body must be a JSON object, not null"] }) : (body, null);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            return (null, new() { [field] = [ex.Message] });
        }
    }

    /// <summary>Validates the fields; <paramref name="requireId"/> for creation.</summary>
    public static Dictionary<string, string[]> Validate(NodeSettingsRequest request, bool requireId)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Id is null)
        {
            if (requireId)
                errors["id"] = ["is required: 2-64 characters of [A-Za-z0-9._-], e.g. \"gpu-01\""];
        }
        // A reserved id cannot be registered, but the hub's own node ("main") can still be edited.
        else if (!(requireId ? NodeIds.IsValidForNode(request.Id, out var idError) : NodeIds.IsValid(request.Id, out idError)))
        {
            errors["id"] = [idError];
        }

        if (request.Name is { } name && (name.Trim().Length is 0 or > 128 || name.Any(char.IsControl)))
            errors["name"] = ["must be 1-128 characters without control characters"];
        if (request.GrpcTarget is { } target && GrpcTargetError(target) is { } targetError)
            errors["grpc_target"] = [targetError];
        if (request.TlsServerName is { } serverName && !IsHostName(serverName))
            errors["tls_server_name"] = [$"'{DisplayText.Truncate(serverName)}' is not a DNS name or IP address (letters, digits, '-', '.'; at most 253 characters)"];
        if (request.DefaultWorktreeRoot is { } root && RootError(root) is { } rootError)
            errors["default_worktree_root"] = [rootError];
        if (request.Labels is { } labels)
        {
            if (labels.Count > 64)
                errors["labels"] = ["at most 64 labels"];
            foreach (var (key, value) in labels)
            {
                if (key.Length is 0 or > 63 || key.AsSpan().ContainsAnyExcept(LabelKeyChars))
                    errors[$"labels.{DisplayText.Truncate(key)}"] = ["label keys are 1-63 characters of [A-Za-z0-9._/-]"];
                else if (value.Length > 256 || value.Any(char.IsControl))
                    errors[$"labels.{key}"] = ["label values are at most 256 characters without control characters"];
            }
        }

        return errors;
    }

    /// <summary>Null when <paramref name="target"/> is an absolute https://host:port.</summary>
    public static string? GrpcTargetError(string target)
    {
        if (!target.Contains("://", StringComparison.Ordinal))
            return $"'{DisplayText.Truncate(target)}' has no scheme; use an absolute address like 'https://{DisplayText.Truncate(target)}'";
        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            return $"'{DisplayText.Truncate(target)}' is not a valid URL; use https://host:port, e.g. 'https://gpu-01.example.com:50061'";
        if (uri.Scheme != Uri.UriSchemeHttps)
            return $"'{DisplayText.Truncate(target)}' uses {uri.Scheme}; node gRPC targets are TLS: use 'https://{uri.Authority}'";
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            return $"'{DisplayText.Truncate(target)}' has a path, query or user part; use only https://host:port";
        if (uri.IsDefaultPort && !target.TrimEnd('/').EndsWith(":443", StringComparison.Ordinal))
            return $"'{DisplayText.Truncate(target)}' has no port; add it, e.g. 'https://{uri.Host}:50061'";
        return null;
    }

    private static string? RootError(string root)
    {
        if (root.Length is 0 or > 1024)
            return "must be an absolute path of at most 1024 characters";
        if (root.Any(char.IsControl))
            return "must not contain control characters";
        if (!root.StartsWith('/'))
            return $"'{DisplayText.Truncate(root)}' is relative; use an absolute path such as '/data/mesh/worktrees'";
        if (root.Split('/').Contains(".."))
            return "must not contain '..' segments";
        return null;
    }

    private static bool IsHostName(string name)
    {
        if (IPAddress.TryParse(name, out _))
            return true;
        if (name.Length is 0 or > 253 || name.AsSpan().ContainsAnyExcept(HostChars))
            return false;
        return name.Split('.').All(label => label.Length is >= 1 and <= 63 && !label.StartsWith('-') && !label.EndsWith('-'));
    }
}

/// <summary>A node settings body: snake_case, unknown fields refused; source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower, UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(NodeSettingsRequest))]
internal sealed partial class NodeRequestJson : JsonSerializerContext;
