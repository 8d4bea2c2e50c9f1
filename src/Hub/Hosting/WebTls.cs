using Mesh.Hosting;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Configuration;
using Mesh.Pki;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Mesh.Hub.Hosting;

/// <summary>The web UI / REST listener's TLS: the operator's certificate and key from [server] tls_cert / tls_key.</summary>
internal static class WebTls
{
    /// <summary>
    /// Kestrel's HTTPS options for the web listener (the certificate with its key, and any further certificates of the
    /// file as the chain sent to clients), or null when it is plain HTTP; a StartupException says what is wrong.
    /// </summary>
    public static HttpsConnectionAdapterOptions? Load(MeshConfig config, TimeProvider time)
    {
        if (LoadCertificate(config, time) is not { } certificate)
            return null;
        var all = new X509Certificate2Collection();
        try
        {
            all.ImportFromPemFile(config.Server.WebTls!.CertificatePath);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or IOException)
        {
            certificate.Dispose();
            throw new StartupException($"cannot read the certificates after the first in [server] tls_cert {config.Server.WebTls!.CertificatePath}: {ex.Message}", ex);
        }

        var chain = new X509Certificate2Collection();
        foreach (var extra in all.Skip(1))
            chain.Add(extra);
        all[0].Dispose();
        return new HttpsConnectionAdapterOptions { ServerCertificate = certificate, ServerCertificateChain = chain.Count > 0 ? chain : null };
    }

    private static X509Certificate2? LoadCertificate(MeshConfig config, TimeProvider time)
    {
        if (config.Server.WebTls is not { } tls)
            return null;
        X509Certificate2 certificate;
        try
        {
            certificate = KeyFiles.LoadCertificateWithKey(tls.CertificatePath, tls.KeyPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PkiException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new StartupException($"cannot use [server] tls_cert {tls.CertificatePath} with tls_key {tls.KeyPath}: {ex.Message} Give a PEM certificate and its PEM private key, readable by this user.", ex);
        }

        var now = time.GetUtcNow();
        if (certificate.NotAfter.ToUniversalTime() < now || certificate.NotBefore.ToUniversalTime() > now)
        {
            var window = $"{Mesh.Core.TimeText.Iso(certificate.NotBefore.ToUniversalTime())} to {Mesh.Core.TimeText.Iso(certificate.NotAfter.ToUniversalTime())}";
            certificate.Dispose();
            throw new StartupException($"[server] tls_cert {tls.CertificatePath} is not valid now (valid {window}): renew it.");
        }

        return certificate;
    }

    /// <summary>A warning for the console when passwords and session cookies would cross the network unencrypted.</summary>
    public static string? PlaintextWarning(MeshConfig config)
    {
        return config.Server.WebTls is null && !config.Server.Listen.IsLoopback
            ? $"mesh hub warning: the web UI and REST API listen on {config.Server.Listen} over plain HTTP: passwords, API tokens and session cookies cross the network unencrypted. Set [server] tls_cert and tls_key, or keep listen on 127.0.0.1 behind a TLS proxy."
            : null;
    }
}
