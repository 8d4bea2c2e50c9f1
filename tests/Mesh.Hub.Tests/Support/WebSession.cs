using System.Net;
using System.Text.RegularExpressions;

namespace Mesh.Hub.Tests.Support;

/// <summary>A browser-like client of the hub's web UI: a cookie jar, no automatic redirects, and the antiforgery token of the last page read.</summary>
public sealed partial class WebSession : IDisposable
{
    private readonly HttpClient _http;

    private WebSession(Uri baseUrl) =>
        _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = baseUrl };

    /// <summary>Logs in through the login form as a browser would.</summary>
    public static async Task<WebSession> LoginAsync(Uri baseUrl, string user, string password)
    {
        var session = new WebSession(baseUrl);
        await session.GetAsync("/login");
        using var response = await session.PostAsync("/login", ("username", user), ("password", password));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"login as {user}: {response.StatusCode}");
        return session;
    }

    /// <summary>The request token of the last page read (the one its forms carry).</summary>
    public string? Token { get; private set; }

    public async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        if (TokenPattern().Match(html) is { Success: true } match)
            Token = WebUtility.HtmlDecode(match.Groups[1].Value);
        return (response.StatusCode, html);
    }

    /// <summary>A GET answered as soon as its headers arrive (a live stream: read its body as it comes).</summary>
    public Task<HttpResponseMessage> OpenAsync(string path) => _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);

    /// <summary>Posts a form with the current antiforgery token (as a hidden field, as the page's forms do).</summary>
    public Task<HttpResponseMessage> PostAsync(string path, params (string Name, string Value)[] fields) =>
        _http.PostAsync(path, new FormUrlEncodedContent([.. fields.Select(f => KeyValuePair.Create(f.Name, f.Value)), KeyValuePair.Create("__RequestVerificationToken", Token ?? "")]));

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
