using Mesh.Hub.Storage;
using Mesh.Hub.Web;

namespace Mesh.Hub.Audit;

public static class AuditExtensions
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, AuditMigrations>();
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddSingleton(new UiNavItem("Audit", "/audit", 90));
        return services;
    }

    /// <summary>The Audit page.</summary>
    public static WebApplication MapAuditPages(this WebApplication app)
    {
        Pages.AuditPages.Map(app.MapUiPages());
        return app;
    }
}
