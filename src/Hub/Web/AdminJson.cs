using System.Text.Json;

namespace Mesh.Hub.Web;

/// <summary>The REST API speaks snake_case JSON.</summary>
public static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
    };
}
