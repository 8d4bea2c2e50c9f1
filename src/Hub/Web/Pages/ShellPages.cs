using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;

namespace Mesh.Hub.Web.Pages;

/// <summary>The shell's own pages: /logout and /error/{code}, the page for an answer without a body (<see cref="ErrorPages"/>).</summary>
internal static class ShellPages
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapPage("/logout", _ => Task.FromResult(Results.Redirect("/")));
        pages.MapForm("/logout", async (http, _) =>
        {
            await http.SignOutAsync(WebAuth.CookieScheme);
            return Results.Redirect("/login");
        });
        // GET and POST, as a failed request of either method is re-executed here; its status stays the original's.
        pages.MapMethods("/error/{code:int}", [HttpMethods.Get, HttpMethods.Post], (RequestDelegate)(http => Show(http).ExecuteAsync(http))).AllowAnonymous();
    }

    private static IResult Show(HttpContext http)
    {
        // An exception on a REST or stream path still answers as the API does: problem details, not a page.
        if (http.Features.Get<IExceptionHandlerPathFeature>() is { } failed && ErrorPages.IsForPrograms(failed.Path))
            return Results.Json(new ProblemBody("Internal Server Error", 500, "the hub could not answer; its log has the details"), ProblemJson.Default.ProblemBody, ProblemBody.ContentType, 500);
        // Reached directly (not re-executed) it is an ordinary page about that code; re-executed it keeps the status.
        var reExecuted = http.Features.Get<IStatusCodeReExecuteFeature>() is not null || http.Features.Get<IExceptionHandlerPathFeature>() is not null;
        var code = int.TryParse(http.GetRouteValue("code")?.ToString(), out var c) && c is >= 400 and <= 599 ? c : 404;
        var (title, explanation) = code switch
        {
            403 => ("Forbidden", "This page needs the root role. Your account can read, not change."),
            404 => ("Not found", "There is nothing at this address: the node, actor or page may have been removed, or the link is mistyped."),
            >= 500 => ("Something went wrong", "The hub could not answer this request. The hub's log has the details; try again, or go back."),
            _ => ("Error", "The request could not be answered."),
        };
        var page = Error.Create(new ErrorModel(code, title, explanation));
        return reExecuted ? UiPages.Render(page, http.Response.StatusCode) : UiPages.Render(page, code);
    }
}
