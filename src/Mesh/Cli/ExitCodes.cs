namespace Mesh.Cli;

/// <summary>Process exit codes of the mesh binary (documented in the README).</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The process started but failed (port in use, unreadable key file, hub unreachable for good…).</summary>
    public const int Failure = 1;

    /// <summary>Bad command line or configuration; nothing was started.</summary>
    public const int Usage = 2;
}
