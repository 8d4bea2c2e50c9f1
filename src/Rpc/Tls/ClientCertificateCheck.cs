namespace Mesh.Rpc.Tls;

/// <summary>The verdict on a client certificate; <see cref="Reason"/> says why it was refused (logged on the server).</summary>
public readonly record struct ClientCertificateCheck(bool IsValid, string? Reason)
{
    public static ClientCertificateCheck Valid => new(true, null);

    public static ClientCertificateCheck Invalid(string reason) => new(false, reason);
}
