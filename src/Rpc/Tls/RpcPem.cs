using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Rpc.Tls;

/// <summary>PEM loading for the TLS helpers, with errors that name the file.</summary>
public static class RpcPem
{
    /// <summary>
    /// Loads a certificate with its private key. The certificate file's first block is the leaf; any following
    /// blocks are returned as the chain (intermediates to present to the peer).
    /// </summary>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Chain) LoadCertificateWithKey(string certificatePath, string keyPath)
    {
        var all = LoadCertificates(certificatePath);
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"Cannot load the private key '{keyPath}' for certificate '{certificatePath}': {ex.Message} (expected an unencrypted PEM key matching the certificate).", ex);
        }

        var chain = new X509Certificate2Collection();
        for (var i = 1; i < all.Count; i++)
        {
            chain.Add(all[i]);
        }

        return (leaf, chain);
    }

    /// <summary>Loads every certificate of a PEM file (a CA bundle or a chain).</summary>
    public static X509Certificate2Collection LoadCertificates(string pemPath)
    {
        if (!File.Exists(pemPath))
        {
            throw new FileNotFoundException($"Certificate file '{pemPath}' does not exist.", pemPath);
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(pemPath);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"Certificate file '{pemPath}' is not valid PEM: {ex.Message}", ex);
        }

        if (collection.Count == 0)
        {
            throw new InvalidOperationException($"Certificate file '{pemPath}' holds no '-----BEGIN CERTIFICATE-----' block.");
        }

        return collection;
    }
}
