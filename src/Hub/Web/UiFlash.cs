using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Mesh.Hub.Web;

/// <summary>
/// A one-line outcome shown once on the page a post redirects to (post/redirect/get): kept in a short-lived,
/// data-protected cookie and removed when read, as MVC's cookie TempData did.
/// </summary>
public static class UiFlash
{
    private const string CookieName = "mesh_flash";
    private const string Purpose = "Mesh.Hub.Web.UiFlash";

    public static void Set(HttpContext http, string message)
    {
        var protector = http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
        http.Response.Cookies.Append(CookieName, protector.Protect(message), Options(http));
    }

    /// <summary>The message set by the previous response, once; null when there is none or it does not verify.</summary>
    public static string? Take(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var value))
            return null;
        http.Response.Cookies.Delete(CookieName, Options(http));
        try
        {
            return http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(value);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static CookieOptions Options(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };
}
