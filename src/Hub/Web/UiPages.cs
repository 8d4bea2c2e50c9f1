using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Html;
using RazorSlices;

namespace Mesh.Hub.Web;

/// <summary>
/// How a capability serves its pages: Razor Slices rendered by minimal API endpoints, mapped on a group that needs a
/// login (the viewer role at least; an endpoint that needs root or none says so). Every form POST checks the
/// antiforgery token before its handler runs and answers 400 without a body otherwise (the error page, as for any
/// bodiless 4xx). Handlers are plain request delegates: no reflection-built binding, so the pages run under Native AOT.
/// </summary>
public static class UiPages
{
    /// <summary>The hidden field every form carries (named as ASP.NET Core's form tag helper names it).</summary>
    public const string TokenField = "__RequestVerificationToken";

    public static RouteGroupBuilder MapUiPages(this IEndpointRouteBuilder app) =>
        app.MapGroup("").RequireAuthorization(WebAuth.ViewerPolicy);

    public static IEndpointConventionBuilder MapPage(this IEndpointRouteBuilder pages, string pattern, Func<HttpContext, Task<IResult>> get) =>
        pages.MapGet(pattern, async http => await (await get(http)).ExecuteAsync(http));

    /// <summary>A form's POST: the antiforgery token is checked and the form read before <paramref name="post"/> runs.</summary>
    public static IEndpointConventionBuilder MapForm(this IEndpointRouteBuilder pages, string pattern, Func<HttpContext, IFormCollection, Task<IResult>> post) =>
        pages.MapPost(pattern, async http =>
        {
            if (!await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : FormCollection.Empty;
            await (await post(http, form)).ExecuteAsync(http);
        });

    /// <summary>A slice (a page, or a piece of one for htmx) as the answer, with <paramref name="status"/>.</summary>
    public static IResult Render(RazorSlice slice, int status = StatusCodes.Status200OK) => new PageResult(slice, status);

    /// <summary>The page handler a form names (<c>?handler=Edit</c>, as Razor Pages named them), or null.</summary>
    public static string? Handler(HttpContext http, IFormCollection form) =>
        http.Request.Query["handler"] is { Count: > 0 } query ? query.ToString() : form["handler"] is { Count: > 0 } field ? field.ToString() : null;

    /// <summary>
    /// A named value as Razor Pages bound a handler's string parameter: the form's, else the route's, else the query
    /// string's; null when absent or empty.
    /// </summary>
    public static string? Value(HttpContext http, IFormCollection form, string name)
    {
        string? value = form.TryGetValue(name, out var field) ? field.ToString()
            : http.GetRouteValue(name) is { } route ? route.ToString()
            : http.Request.Query.TryGetValue(name, out var query) ? query.ToString() : null;
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>A query string value as Razor Pages bound it: null when absent or empty.</summary>
    public static string? Query(HttpContext http, string name) =>
        http.Request.Query.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value.ToString()) ? value.ToString() : null;

    /// <summary>The request token of this request (stored in the antiforgery cookie on first use).</summary>
    public static string RequestToken(HttpContext http) =>
        http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http).RequestToken ?? "";

    /// <summary>The hidden antiforgery field a form ends with.</summary>
    public static HtmlString TokenInput(HttpContext http) =>
        new($"<input name=\"{TokenField}\" type=\"hidden\" value=\"{HtmlText.E(RequestToken(http))}\" />");

    /// <summary>A URL on this site ("/x", "~/x"), not another host ("//evil", "/\\evil", "https://…"): where a login may return to.</summary>
    public static bool IsLocalUrl(string url)
    {
        if (url.StartsWith('/'))
            return url.Length == 1 || (url[1] != '/' && url[1] != '\\' && !url.AsSpan(1).ContainsAnyInRange('\0', '\x1f'));
        return url.Length > 1 && url[0] == '~' && url[1] == '/'
            && (url.Length == 2 || (url[2] != '/' && url[2] != '\\' && !url.AsSpan(2).ContainsAnyInRange('\0', '\x1f')));
    }

    private sealed class PageResult(RazorSlice slice, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            slice.StatusCode = status;
            // The antiforgery cookie goes with the headers, before the slice streams the body its forms write the token into.
            RequestToken(httpContext);
            return ((IResult)slice).ExecuteAsync(httpContext);
        }
    }
}
