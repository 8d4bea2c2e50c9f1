using Mesh.Hub.Storage;
using Mesh.Hub.Web;

namespace Mesh.Hub.Hosting;

/// <summary>
/// A request that failed because the store is gone is answered 503 (Retry-After) with what happened and what to do:
/// problem details for the API, plain text for pages (whose error page might need the store too). Other failures go
/// on to the error pages.
/// </summary>
internal static class StoreOutageMiddleware
{
    public static IApplicationBuilder UseStoreOutageAnswers(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception ex) when (!context.Response.HasStarted && context.RequestServices.GetRequiredService<StoreAvailability>().Refusal(ex) is { } refusal)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "5";
                if (ErrorPages.IsForPrograms(context.Request.Path))
                {
                    await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The hub's store is unavailable", detail: refusal).ExecuteAsync(context);
                    return;
                }

                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("503 Service Unavailable: " + refusal + "\n", context.RequestAborted);
            }
        });
}
