using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Mesh.Hosting;

/// <summary>Console logs, one line each, as text or JSON (--log-format json).</summary>
public static class MeshLogging
{
    public static void Configure(ILoggingBuilder logging, bool json)
    {
        logging.ClearProviders();
        if (json)
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = false;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ ";
                o.UseUtcTimestamp = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }

        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The host's "Now listening on…", "Application started…", content root lines: mesh prints its own ready line.
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // What grpc-dotnet logs here by itself is a request it could not parse (client input, with a stack trace);
        // handler failures are logged by InternalApi/HandlerFailures instead.
        logging.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.None);
        // It logs every unhealthy check at Error, on every probe; the component that is down says so once itself.
        logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical);
    }
}
