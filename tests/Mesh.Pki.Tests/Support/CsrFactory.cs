using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Pki.Tests.Support;

/// <summary>Builds CSRs the way a node, a buggy client or an attacker would.</summary>
internal static class CsrFactory
{
    public static CertificateRequest Request(AsymmetricAlgorithm key, string subject) => key switch
    {
        ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentException("unsupported key", nameof(key)),
    };

    public static string Pem(AsymmetricAlgorithm key, string subject, Action<CertificateRequest>? configure = null)
    {
        var request = Request(key, subject);
        configure?.Invoke(request);
        return request.CreateSigningRequestPem();
    }
}
