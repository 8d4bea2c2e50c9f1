namespace Mesh.Hub.Web;

/// <summary>Headers on every web response: a CSP without inline scripts or styles, no framing, no sniffing, no caching of pages.</summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>HttpContext.Items key: a nonce a page allows style elements with (xterm.js makes its own).</summary>
    public const string StyleNonceKey = "mesh.style-nonce";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Items[StyleNonceKey] is string nonce
                ? ContentSecurityPolicy.Replace("style-src 'self';", $"style-src 'self' 'nonce-{nonce}';", StringComparison.Ordinal)
                : ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // Over HTTPS only (plain HTTP is the loopback default); never for "localhost", which a browser would then
            // pin to HTTPS for every port on the machine. Browsers ignore HSTS for IP addresses anyway.
            if (context.Request.IsHttps && !string.Equals(context.Request.Host.Host, "localhost", StringComparison.OrdinalIgnoreCase))
                headers.StrictTransportSecurity = "max-age=31536000";
            if (!context.Request.Path.StartsWithSegments("/assets"))
            {
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
            }

            return Task.CompletedTask;
        });
        return next(context);
    });
}
