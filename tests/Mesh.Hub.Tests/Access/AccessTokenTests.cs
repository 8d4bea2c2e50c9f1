using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Mesh.Hub.Tests.Support;
using Mesh.Hub.Access;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Hub.Tests.Access;

/// <summary>UI-created API tokens on the REST API (stored hashed), the viewer role, and [admin] root_password_hash.</summary>
public sealed class AccessTokenTests
{
    [Fact]
    public async Task UiCreatedTokens_RootWritesViewerReads_RevokedIs401_StoredOnlyAsHash()
    {
        await using var hub = await TestHub.StartAsync();
        var tokens = hub.Services.GetRequiredService<ApiTokens>();
        var (_, rootToken) = await tokens.CreateAsync("ci", "root", ApiTokens.DefaultLifetime, "root", null, CancellationToken.None);
        var (viewerInfo, viewerToken) = await tokens.CreateAsync("dashboard", "viewer", ApiTokens.DefaultLifetime, "root", null, CancellationToken.None);

        using var asRoot = Client(hub, rootToken);
        Assert.Equal(HttpStatusCode.Created, (await asRoot.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "by-token" })).StatusCode);
        using var asViewer = Client(hub, viewerToken);
        Assert.Equal(HttpStatusCode.OK, (await asViewer.GetAsync("/api/cluster/stream", HttpCompletionOption.ResponseHeadersRead)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.GetAsync("/api/admin/agent-nodes")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "by-viewer" })).StatusCode);

        using var tampered = Client(hub, viewerToken[..^2] + "xx");
        Assert.Equal(HttpStatusCode.Unauthorized, (await tampered.GetAsync("/api/cluster/best-node")).StatusCode);
        Assert.True(await tokens.RevokeAsync(viewerInfo.Id, "root", null, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, (await asViewer.GetAsync("/api/cluster/best-node")).StatusCode);

        var database = await File.ReadAllBytesAsync(Path.Combine(hub.Config.Server.DataDir, "mesh.db"));
        var secret = rootToken[(rootToken.LastIndexOf('_') + 1)..];
        Assert.Equal(-1, System.Text.Encoding.ASCII.GetString(database).IndexOf(secret, StringComparison.Ordinal));
        hub.Directory.Dispose();
    }

    [Fact]
    public async Task RootPasswordHash_FromConfig_IsTheRootPassword_AndBadHashStopsStart()
    {
        var hash = PasswordHasher.Hash("correct horse battery staple");
        await using (var hub = await TestHub.StartAsync(extraToml: $"root_password_hash = \"{hash}\""))
        {
            var logins = hub.Services.GetRequiredService<LoginService>();
            Assert.Equal(LoginOutcome.Success, (await logins.LoginAsync("root", "correct horse battery staple", null, CancellationToken.None)).Outcome);
            Assert.Equal(LoginOutcome.Invalid, (await logins.LoginAsync("root", "Tr0ub4dor&3", null, CancellationToken.None)).Outcome);
            hub.Directory.Dispose();
        }

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => TestHub.StartAsync(extraToml: "root_password_hash = \"md5$abc\""));
        Assert.Contains("root_password_hash", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lockout_AfterFiveFailures_EvenTheRightPasswordWaits()
    {
        await using var hub = await TestHub.StartAsync(extraToml: $"root_password_hash = \"{PasswordHasher.Hash("right-password-1234")}\"");
        var logins = hub.Services.GetRequiredService<LoginService>();
        for (var i = 0; i < 4; i++)
            Assert.Equal(LoginOutcome.Invalid, (await logins.LoginAsync("root", "nope", null, CancellationToken.None)).Outcome);
        var (outcome, _, retry) = await logins.LoginAsync("root", "nope", null, CancellationToken.None);
        Assert.Equal(LoginOutcome.LockedOut, outcome);
        Assert.InRange(retry.TotalSeconds, 25, 30);
        Assert.Equal(LoginOutcome.LockedOut, (await logins.LoginAsync("root", "right-password-1234", null, CancellationToken.None)).Outcome);
        hub.Directory.Dispose();
    }

    [Fact]
    public async Task Lockout_FromOneAddress_DoesNotLockTheAccountOutForAnother()
    {
        await using var hub = await TestHub.StartAsync(extraToml: $"root_password_hash = \"{PasswordHasher.Hash("right-password-1234")}\"");
        var logins = hub.Services.GetRequiredService<LoginService>();
        for (var i = 0; i < 10; i++)
            await logins.LoginAsync("root", "guess-" + i, "203.0.113.9", CancellationToken.None);

        // The guesser is locked out, even with the right password; the operator elsewhere is not.
        Assert.Equal(LoginOutcome.LockedOut, (await logins.LoginAsync("root", "right-password-1234", "203.0.113.9", CancellationToken.None)).Outcome);
        Assert.Equal(LoginOutcome.Success, (await logins.LoginAsync("root", "right-password-1234", "198.51.100.7", CancellationToken.None)).Outcome);
        hub.Directory.Dispose();
    }

    [Theory]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA==", "iterations")]
    [InlineData("bcrypt$12$abc", "expected pbkdf2-sha256")]
    [InlineData("pbkdf2-sha256$210000$!!$!!", "base64")]
    public void PasswordHash_Malformed_PreciseError(string hash, string fragment)
    {
        Assert.False(PasswordHasher.IsWellFormed(hash, out var error));
        Assert.Contains(fragment, error, StringComparison.Ordinal);
        Assert.False(PasswordHasher.Verify("anything", hash));
    }

    private static HttpClient Client(TestHub hub, string token)
    {
        var client = new HttpClient { BaseAddress = hub.WebUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
