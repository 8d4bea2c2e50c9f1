using Mesh.Hub.Web;

namespace Mesh.Hub.Nodes.Provisioning;

public static class ProvisioningExtensions
{
    /// <summary>SSH provisioning: the service and its page (/join/ssh, root only).</summary>
    public static IServiceCollection AddProvisioning(this IServiceCollection services) => services.AddSingleton<SshProvisioner>();

    /// <summary>The /join/ssh page (root).</summary>
    public static void MapProvisioning(this WebApplication app)
    {
        var pages = app.MapUiPages().RequireAuthorization(AdminRoles.RootPolicy);
        pages.MapPage<Pages.SshModel>("/join/ssh", m => m.OnGet());
        pages.MapForm<Pages.SshModel>("/join/ssh", ("", m => m.OnPostAsync()));
    }
}
