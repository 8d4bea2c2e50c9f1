using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mesh.Hub.Web.Pages;

/// <summary>The layout's page for an answer without a body (<see cref="ErrorPages"/>); the status code stays the original's.</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public int Code { get; private set; }

    public string Title { get; private set; } = "Error";

    public string Explanation { get; private set; } = "";

    public IActionResult OnGet(int code) => Show(code);

    public IActionResult OnPost(int code) => Show(code);

    private IActionResult Show(int code)
    {
        // An exception on a REST or stream path still answers as the API does: problem details, not a page.
        if (HttpContext.Features.Get<IExceptionHandlerPathFeature>() is { } failed && ErrorPages.IsForPrograms(failed.Path))
            return new JsonResult(new { title = "Internal Server Error", status = 500, detail = "the hub could not answer; its log has the details" }) { StatusCode = 500, ContentType = "application/problem+json" };
        // Reached directly (not re-executed) it is an ordinary page about that code; re-executed it keeps the status.
        var reExecuted = HttpContext.Features.Get<IStatusCodeReExecuteFeature>() is not null || HttpContext.Features.Get<IExceptionHandlerPathFeature>() is not null;
        Code = code is >= 400 and <= 599 ? code : 404;
        (Title, Explanation) = Code switch
        {
            403 => ("Forbidden", "This page needs the root role. Your account can read, not change."),
            404 => ("Not found", "There is nothing at this address: the node, actor or page may have been removed, or the link is mistyped."),
            >= 500 => ("Something went wrong", "The hub could not answer this request. The hub's log has the details; try again, or go back."),
            _ => ("Error", "The request could not be answered."),
        };
        if (!reExecuted)
            Response.StatusCode = Code;
        return Page();
    }
}
