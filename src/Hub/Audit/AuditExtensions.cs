using Mesh.Hub.Storage;

namespace Mesh.Hub.Audit;

public static class AuditExtensions
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, AuditMigrations>();
        services.AddSingleton<IAuditLog, SqliteAuditLog>();
        return services;
    }
}
