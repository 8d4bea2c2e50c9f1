using System.Net;
using System.Text.RegularExpressions;

namespace Mesh.IntegrationTests.Deploy.Join;

/// <summary>A browser without a browser: a cookie jar, the login form and antiforgery-protected form posts.</summary>
internal sealed partial class WebSession(Uri web) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = web, Timeout = TimeSpan.FromMinutes(6) };

    public static async Task<WebSession> LoginAsync(Uri web, string user, string password)
    {
        var session = new WebSession(web);
        var response = await session.PostFormAsync("/login", "/login", new() { ["username"] = user, ["password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"login as {user}: {(int)response.StatusCode}");
        return session;
    }

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    /// <summary>Loads <paramref name="formPage"/> for its antiforgery token, then posts the form to <paramref name="action"/>.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string formPage, string action, Dictionary<string, string> fields, bool antiforgery = true)
    {
        if (antiforgery)
        {
            var page = await _http.GetStringAsync(formPage);
            var match = TokenPattern().Match(page);
            fields["__RequestVerificationToken"] = match.Success ? match.Groups[1].Value : HeaderTokenPattern().Match(page).Groups[1].Value;
        }

        return await _http.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    /// <summary>The layout's htmx header carries the same token on pages without a form.</summary>
    [GeneratedRegex("\"RequestVerificationToken\": \"([^\"]+)\"")]
    private static partial Regex HeaderTokenPattern();
}
