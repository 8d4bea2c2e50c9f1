using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki;

namespace Mesh.IntegrationTests.Interop;

/// <summary>
/// Certificates from the real Mesh PKI: a cluster CA with a server certificate (localhost, 127.0.0.1) and a node
/// client certificate, plus an unrelated CA and its client certificate. PEM copies (keys 0600) for grpcio.
/// </summary>
internal sealed class TestPki : IDisposable
{
    private static readonly Lazy<TestPki> SharedInstance = new(() =>
    {
        var pki = new TestPki();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => pki.Dispose();
        return pki;
    });

    private TestPki()
    {
        Ca = CertificateAuthority.Create("rpc-test");
        OtherCa = CertificateAuthority.Create("other-cluster");
        ServerCertificate = Ca.IssueServerCertificate(["localhost", "127.0.0.1"]);
        ClientCertificate = Ca.IssueClientCertificate("node-01");
        OtherClientCertificate = OtherCa.IssueClientCertificate("intruder");
        Directory = System.IO.Directory.CreateTempSubdirectory("mesh-rpc-pki-").FullName;
        CaPem = Write("ca.pem", Ca.Certificate.ExportCertificatePem());
        OtherCaPem = Write("other-ca.pem", OtherCa.Certificate.ExportCertificatePem());
        (ServerCertPem, ServerKeyPem) = WritePair("server", ServerCertificate);
        (ClientCertPem, ClientKeyPem) = WritePair("client", ClientCertificate);
        (OtherClientCertPem, OtherClientKeyPem) = WritePair("other-client", OtherClientCertificate);
    }

    public static TestPki Shared => SharedInstance.Value;

    public CertificateAuthority Ca { get; }

    public CertificateAuthority OtherCa { get; }

    public X509Certificate2 ServerCertificate { get; }

    public X509Certificate2 ClientCertificate { get; }

    public X509Certificate2 OtherClientCertificate { get; }

    public string Directory { get; }

    public string CaPem { get; }

    public string OtherCaPem { get; }

    public string ServerCertPem { get; }

    public string ServerKeyPem { get; }

    public string ClientCertPem { get; }

    public string ClientKeyPem { get; }

    public string OtherClientCertPem { get; }

    public string OtherClientKeyPem { get; }

    public X509Certificate2Collection CaCollection => [X509CertificateLoader.LoadCertificate(Ca.Certificate.RawData)];

    private (string Cert, string Key) WritePair(string name, X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("expected an ECDSA key");
        return (Write(name + ".crt", certificate.ExportCertificatePem()), Write(name + ".key", key.ExportPkcs8PrivateKeyPem(), secret: true));
    }

    private string Write(string name, string pem, bool secret = false)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, pem + "\n");
        if (secret)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
