using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Pki.Internal;

internal static class Certificates
{
    public static X509Certificate2 ReadPem(string? pem, string what)
    {
        var der = Pem.ReadBlock(pem, what, "CERTIFICATE");
        return ReadDer(der, what);
    }

    public static X509Certificate2 ReadDer(byte[] der, string what)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException ex)
        {
            throw new PkiException($"{what} is not a valid X.509 certificate (the DER inside the PEM is damaged or truncated): {ex.Message}", ex);
        }
    }

    public static string ToPem(X509Certificate2 certificate) => Pem.Write("CERTIFICATE", certificate.RawData);
}
