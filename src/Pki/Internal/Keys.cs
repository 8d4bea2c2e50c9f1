using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Pki.Internal;

/// <summary>Private key import/export and the signing choices that follow from the key type.</summary>
internal static class Keys
{
    public const string EcPublicKeyOid = "1.2.840.10045.2.1";
    public const string RsaOid = "1.2.840.113549.1.1.1";
    public const string P256Oid = "1.2.840.10045.3.1.7";
    public const string P384Oid = "1.3.132.0.34";

    public static AsymmetricAlgorithm ReadPrivateKey(string? pem, string what)
    {
        var der = Pem.ReadBlock(pem, what, "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY");
        try
        {
            var text = pem!;
            if (text.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
                throw new PkiException($"{what} is encrypted; Mesh needs an unencrypted PKCS#8 key protected by file mode 0600");
            if (text.Contains("-----BEGIN EC PRIVATE KEY-----", StringComparison.Ordinal))
            {
                var ec = ECDsa.Create();
                ec.ImportECPrivateKey(der, out _);
                return ec;
            }

            if (text.Contains("-----BEGIN RSA PRIVATE KEY-----", StringComparison.Ordinal))
            {
                var rsa = RSA.Create();
                rsa.ImportRSAPrivateKey(der, out _);
                return rsa;
            }

            return ImportPkcs8(der, what);
        }
        catch (CryptographicException ex)
        {
            throw new PkiException($"{what} is not a valid private key: {ex.Message}", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    private static AsymmetricAlgorithm ImportPkcs8(byte[] der, string what)
    {
        var ec = ECDsa.Create();
        try
        {
            ec.ImportPkcs8PrivateKey(der, out _);
            return ec;
        }
        catch (CryptographicException)
        {
            ec.Dispose();
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportPkcs8PrivateKey(der, out _);
            return rsa;
        }
        catch (CryptographicException ex)
        {
            rsa.Dispose();
            throw new PkiException($"{what} is neither an EC nor an RSA PKCS#8 private key", ex);
        }
    }

    public static string ExportPrivateKeyPem(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKeyPem() + "\n";

    public static byte[] SubjectPublicKeyInfo(AsymmetricAlgorithm key) => key.ExportSubjectPublicKeyInfo();

    public static X509SignatureGenerator SignatureGenerator(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        _ => throw new PkiException($"CA key type {key.GetType().Name} is not supported (use ECDSA or RSA)"),
    };

    public static HashAlgorithmName SignatureHash(AsymmetricAlgorithm key) =>
        key is ECDsa { KeySize: > 256 } ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    public static X509Certificate2 CopyWithKey(X509Certificate2 cert, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => cert.CopyWithPrivateKey(ec),
        RSA rsa => cert.CopyWithPrivateKey(rsa),
        _ => throw new PkiException($"key type {key.GetType().Name} is not supported (use ECDSA or RSA)"),
    };

    /// <summary>
    /// A certificate built with CopyWithPrivateKey is not always accepted by SslStream as a server certificate
    /// on Linux; a PKCS#12 round trip gives one that is.
    /// </summary>
    public static X509Certificate2 UsableForTls(X509Certificate2 certWithKey)
    {
        var pfx = certWithKey.Export(X509ContentType.Pkcs12);
        try
        {
            return X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.Exportable);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pfx);
        }
    }

    public static AsymmetricAlgorithm? GetPrivateKey(X509Certificate2 cert) =>
        (AsymmetricAlgorithm?)cert.GetECDsaPrivateKey() ?? cert.GetRSAPrivateKey();
}
