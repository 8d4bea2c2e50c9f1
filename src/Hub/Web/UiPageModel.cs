using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using RazorSlices;

namespace Mesh.Hub.Web;

/// <summary>
/// A page's state and handlers, created per request as a Razor Pages model was (constructor services from the
/// container): a GET handler or one of its named POST handlers runs, then <see cref="Page"/> renders the page's slice
/// with this model and the status the handler set. Mapped with <see cref="UiPageModels.MapPage{TModel}"/> and
/// <see cref="UiPageModels.MapForm{TModel}"/>.
/// </summary>
public abstract class UiPageModel
{
    public HttpContext HttpContext { get; internal set; } = null!;

    public ClaimsPrincipal User => HttpContext.User;

    protected HttpRequest Request => HttpContext.Request;

    protected HttpResponse Response => HttpContext.Response;

    /// <summary>The posted form (empty on a GET).</summary>
    protected IFormCollection Posted { get; private set; } = FormCollection.Empty;

    internal void Start(HttpContext http, IFormCollection form) => (HttpContext, Posted) = (http, form);

    /// <summary>The page's slice with this model.</summary>
    protected abstract RazorSlice Slice();

    protected IResult Page() => UiPages.Render(Slice(), Response.StatusCode);

    /// <summary>A piece of the page (an htmx swap), with the status the handler set.</summary>
    protected IResult Partial(RazorSlice slice) => UiPages.Render(slice, Response.StatusCode);

    protected static IResult Redirect(string url) => Results.Redirect(url);

    /// <summary>404 without a body: the error page renders it.</summary>
    protected static IResult NotFound() => Results.NotFound();

    /// <summary>403 through the authentication scheme, as Razor Pages' Forbid(): the error page renders it.</summary>
    protected static IResult Forbid() => Results.Forbid();

    protected static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    /// <summary>A string value as Razor Pages bound a handler parameter (<see cref="UiPages.Value"/>).</summary>
    protected string? Value(string name) => UiPages.Value(HttpContext, Posted, name);

    protected string? Query(string name) => UiPages.Query(HttpContext, name);
}

public static class UiPageModels
{
    public static IEndpointConventionBuilder MapPage<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TModel>(
        this IEndpointRouteBuilder pages, string pattern, Func<TModel, Task<IResult>> get) where TModel : UiPageModel =>
        pages.MapPage(pattern, http => get(Create<TModel>(http, FormCollection.Empty)));

    /// <summary>A page's GET handlers by name: "" for the page, others for the pieces htmx loads (<c>?handler=List</c>); another name is 404.</summary>
    public static IEndpointConventionBuilder MapPage<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TModel>(
        this IEndpointRouteBuilder pages, string pattern, params (string Handler, Func<TModel, Task<IResult>> Get)[] handlers) where TModel : UiPageModel =>
        pages.MapPage(pattern, http => Dispatch(http, FormCollection.Empty, handlers));

    /// <summary>A page's POST handlers by name (<c>?handler=Name</c>; "" for a form without one); another name is 404.</summary>
    public static IEndpointConventionBuilder MapForm<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TModel>(
        this IEndpointRouteBuilder pages, string pattern, params (string Handler, Func<TModel, Task<IResult>> Post)[] handlers) where TModel : UiPageModel =>
        pages.MapForm(pattern, (http, form) => Dispatch(http, form, handlers));

    private static Task<IResult> Dispatch<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TModel>(
        HttpContext http, IFormCollection form, (string Handler, Func<TModel, Task<IResult>> Run)[] handlers) where TModel : UiPageModel
    {
        var name = UiPages.Handler(http, form) ?? "";
        foreach (var (handler, run) in handlers)
        {
            if (string.Equals(handler, name, StringComparison.OrdinalIgnoreCase))
                return run(Create<TModel>(http, form));
        }

        return Task.FromResult(Results.NotFound());
    }

    private static TModel Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TModel>(HttpContext http, IFormCollection form)
        where TModel : UiPageModel
    {
        var model = ActivatorUtilities.CreateInstance<TModel>(http.RequestServices);
        model.Start(http, form);
        return model;
    }
}
