using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Pki.Tests.Support;

internal static class Pems
{
    public static string Of(X509Certificate2 cert) => new string(PemEncoding.Write("CERTIFICATE", cert.RawData)) + "\n";
}
