using Mesh.Hosting;
using Mesh.Hub.InternalApi;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Hosting;

/// <summary>
/// Every hub on one store must sign with one CA, or nodes enrolled through one hub would be strangers to another.
/// The first hub to start records its CA's public-key pin (the SHA-256 join tokens carry) in the store; each start
/// after compares and refuses to run with another CA, on SQLite (a replaced cert_dir) as on PostgreSQL (a second hub
/// mounting other CA files).
/// </summary>
internal static class ClusterCaCheck
{
    public const string Key = "cluster_ca_pin";

    public static async Task EnsureSameCaAsync(HubSettings settings, HubIdentity identity, string certDir, string store, CancellationToken cancellationToken)
    {
        HubSetting recorded;
        try
        {
            recorded = await settings.ClaimAsync(Key, identity.Authority.Pin, $"{Environment.MachineName} (cluster {identity.ClusterId})", cancellationToken);
        }
        catch (StoreException ex)
        {
            throw new StartupException(ex.Message, ex);
        }

        if (Mesh.Pki.CertificatePins.PinEquals(recorded.Value, identity.Authority.Pin))
            return;
        throw new StartupException(
            $"this hub's CA (cert_dir '{certDir}', pin {identity.Authority.Pin}, cluster {identity.ClusterId}) is not the CA of the mesh in the store {store}, " +
            $"which was recorded with CA pin {recorded.Value} by {recorded.SetBy} at {Mesh.Core.TimeText.Iso(recorded.SetAt)}. " +
            "Every hub serving one mesh must use the same ca.crt and ca.key: mount the first hub's cert_dir files (e.g. the same Kubernetes Secret), or give this hub a store of its own. " +
            $"If this CA replaces the old one on purpose (every node must then join again), delete the record first: DELETE FROM hub_settings WHERE key = '{Key}';");
    }
}
