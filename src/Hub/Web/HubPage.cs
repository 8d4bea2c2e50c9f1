using System.Security.Claims;
using Microsoft.AspNetCore.Html;
using RazorSlices;

namespace Mesh.Hub.Web;

/// <summary>The layout's model: the page's title (shown as "Title · Mesh").</summary>
public sealed record PageTitle(string Title);

/// <summary>
/// A page of the operator UI: a Razor Slice in the shared layout (<c>Web/PageLayout.cshtml</c>). A page sets
/// <see cref="Title"/>; <see cref="Raw"/> writes HTML the C# helpers built (they encode every value themselves).
/// </summary>
public abstract class HubPage<TModel> : RazorSlice<TModel>, IUsesLayout<PageLayout, PageTitle>
{
    protected abstract string Title { get; }

    public PageTitle LayoutModel => new(Title);

    protected ClaimsPrincipal User => HttpContext!.User;

    protected bool IsRoot => User.IsInRole(AdminRoles.Root);

    /// <summary>The hidden antiforgery field, written just before a form's closing tag.</summary>
    protected HtmlString Antiforgery => UiPages.TokenInput(HttpContext!);

    protected static HtmlString Raw(string html) => new(html);
}

/// <summary>A piece of a page (a partial, or an htmx swap) without the layout.</summary>
public abstract class HubPartial<TModel> : RazorSlice<TModel>
{
    protected ClaimsPrincipal User => HttpContext!.User;

    protected bool IsRoot => User.IsInRole(AdminRoles.Root);

    protected HtmlString Antiforgery => UiPages.TokenInput(HttpContext!);

    protected static HtmlString Raw(string html) => new(html);
}
