using System.Text;
using System.Text.Json;

namespace Mesh.Bench;

/// <summary>
/// The hub-and-nodes setup the agent and output benches share: one mesh.toml for the hub and its node processes (a
/// node takes its id, data_dir, bootstrap token and hub target from the environment, as in the DaemonSet), and the
/// REST calls they make.
/// </summary>
internal static class BenchHub
{
    public const string ApiToken = "Bench-api-token-0123456789-ABCDEFGHIJ-xyz";

    /// <summary>The shared mesh.toml: a hub with no embedded node, a cluster bootstrap secret, the admin token; <paramref name="nodeSettings"/> go under [node].</summary>
    public static string Config(string work, string clusterSecret, string nodeSettings) => $"""
        [server]
        listen = "127.0.0.1:0"
        data_dir = "{work}/hub"
        embedded_node = false
        [internal_grpc]
        listen = "127.0.0.1:0"
        [internal_grpc.bootstrap]
        token = "{clusterSecret}"
        [node]
        local_listen = ""
        {nodeSettings}
        [admin]
        api_token = "{ApiToken}"
        """;

    /// <summary>What makes one process started from <see cref="Config"/> a node.</summary>
    public static Dictionary<string, string> NodeEnvironment(string id, string dataDir, string bootstrapToken, Uri hub) => new()
    {
        ["MESH_SERVER__NODE_ID"] = id,
        ["MESH_SERVER__DATA_DIR"] = dataDir,
        ["MESH_INTERNAL_GRPC__BOOTSTRAP__TOKEN"] = bootstrapToken,
        ["MESH_HUB__TARGET"] = hub.ToString(),
    };

    public static async Task Until(Func<Task<bool>> condition, int pollMs = 100, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("condition not met");
            await Task.Delay(pollMs);
        }
    }

    public static async Task<JsonElement> Json(HttpClient http, string path) => JsonDocument.Parse(await http.GetStringAsync(path)).RootElement.Clone();

    public static async Task Post(HttpClient http, string path, string? body)
    {
        using var response = await http.PostAsync(path, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
