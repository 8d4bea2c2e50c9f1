namespace Mesh.Hub.Nodes.Provisioning;

public static class ProvisioningExtensions
{
    /// <summary>SSH provisioning: the service and its page (/join/ssh, root only).</summary>
    public static IServiceCollection AddProvisioning(this IServiceCollection services) => services.AddSingleton<SshProvisioner>();
}
