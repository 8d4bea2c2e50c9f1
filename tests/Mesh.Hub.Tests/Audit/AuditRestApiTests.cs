using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Audit;

/// <summary>GET /api/admin/audit's filters against a real in-process hub: what they keep, and 400s naming the bad field.</summary>
public sealed class AuditRestApiTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    public async Task InitializeAsync() => _hub = await TestHub.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _hub.Directory.Dispose();
    }

    private async Task<string[]> EntriesAsync(string query)
    {
        var json = JsonDocument.Parse(await _hub.Admin.GetStringAsync("/api/admin/audit?" + query)).RootElement;
        return [.. json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString() + " " + e.GetProperty("target").GetString())];
    }

    [Fact]
    public async Task Filters_KeepOnlyMatchingEntries()
    {
        foreach (var id in new[] { "gpu-01", "gpu-02" })
            Assert.Equal(HttpStatusCode.Created, (await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _hub.Admin.DeleteAsync("/api/admin/agent-nodes/gpu-01")).StatusCode);
        var today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(["node.revoked gpu-01", "node.registered gpu-01"], await EntriesAsync("target=gpu-01"));
        Assert.Equal(["node.registered gpu-02", "node.registered gpu-01"], await EntriesAsync("action=node.registered"));
        Assert.Equal(["node.registered gpu-02"], await EntriesAsync("action=node.registered&target=gpu-02&since=" + today + "&until=" + today));
        Assert.Empty(await EntriesAsync("action=node.registered&since=" + tomorrow));
        Assert.Empty(await EntriesAsync("by=nobody"));
    }

    [Theory]
    [InlineData("since=yesterday", "since", "'yesterday' is not a day (2026-12-05) or an ISO 8601 time with its offset")]
    [InlineData("until=2026-02-30", "until", "'2026-02-30' is not a day")]
    [InlineData("since=2026-12-05T10:00:00", "since", "is not a day (2026-12-05) or an ISO 8601 time with its offset")]
    [InlineData("since=2026-12-06&until=2026-12-05", "until", "must be later than since")]
    [InlineData("since=2026-12-05T10:00:00Z&until=2026-12-05T10:00:00%2B00:00", "until", "must be later than since")]
    [InlineData("limit=0", "limit", "must be from 1 to 1000")]
    public async Task BadFilter_Is400NamingTheField(string query, string field, string message)
    {
        var response = await _hub.Admin.GetAsync("/api/admin/audit?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Contains(message, errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
    }
}
