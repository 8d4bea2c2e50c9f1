using System.Text.Json.Serialization;

namespace Mesh.Hub.Web;

/// <summary>A problem-details body the shell writes itself (401/403 of the REST paths, 500 of a failed REST request).</summary>
public sealed record ProblemBody(string Title, int Status, string Detail)
{
    public const string ContentType = "application/problem+json";

    public Task WriteAsync(HttpResponse response) => response.WriteAsJsonAsync(this, ProblemJson.Default.ProblemBody, ContentType);
}

/// <summary>Source-generated (Native AOT has no reflection-based JSON): title, status, detail.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProblemBody))]
public sealed partial class ProblemJson : JsonSerializerContext;
