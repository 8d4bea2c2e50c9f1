namespace Mesh.Hub.Web;

/// <summary>
/// Pages for 4xx/5xx answers without a body (an unknown path, a page's NotFound(), a refused role, an unhandled
/// exception): the request is run again as /error/{code}, which renders in the layout with a way back. REST and
/// live-stream paths (/api, /ui, /metrics) keep their own bodies (problem details) and get none of this.
/// </summary>
public static class ErrorPages
{
    public static IApplicationBuilder UseErrorPages(this IApplicationBuilder app)
    {
        // On the application itself, not a UseWhen branch: a branch of a WebApplication has no global route builder,
        // and the re-executed request would find no endpoint.
        app.UseExceptionHandler("/error/500");
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        return app.Use((context, next) =>
        {
            if (IsForPrograms(context.Request.Path) && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
                pages.Enabled = false;
            return next(context);
        });
    }

    internal static bool IsForPrograms(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/ui") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/openapi");
}
