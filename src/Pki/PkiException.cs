namespace Mesh.Pki;

/// <summary>A certificate, key or CSR problem, with a message that says what is wrong and, where it can, how to fix it.</summary>
public sealed class PkiException : Exception
{
    public PkiException()
    {
    }

    public PkiException(string message)
        : base(message)
    {
    }

    public PkiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
