namespace Mesh.Hub.Web;

/// <summary>
/// A request body Kestrel refuses while a handler reads it (too large: 413; malformed chunking: 400) is the client's
/// problem, not the hub's: answered with its status and one Information line, never an Error with a stack trace
/// that any anonymous client could repeat to flood the log.
/// </summary>
internal static partial class BadRequestBodies
{
    public static IApplicationBuilder UseBadRequestBodies(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BadRequestBodies).FullName!);
        return app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
            {
                if (logger.IsEnabled(LogLevel.Information))
                {
                    string path = context.Request.Path;
                    var remote = context.Connection.RemoteIpAddress?.ToString();
                    Refused(logger, context.Request.Method, path, remote, ex.StatusCode, ex.Message);
                }
                context.Response.Clear();
                await Results.Problem(statusCode: ex.StatusCode, detail: ex.Message).ExecuteAsync(context);
            }
        });
    }

    [LoggerMessage(EventId = 2101, EventName = "RequestBodyRefused", Level = LogLevel.Information,
        Message = "refused {Method} {Path} from {Remote} with {Status}: {Reason}")]
    private static partial void Refused(ILogger logger, string method, string path, string? remote, int status, string reason);
}
