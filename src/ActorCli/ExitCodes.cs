namespace Mesh.ActorCli;

/// <summary>Exit codes of the actor CLI (docs/actors.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The hub refused or failed the operation (unknown recipient, payload too large, foreign message…), or one item of a repeated one failed.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line: unknown flag, missing or conflicting options, unreadable file, invalid JSON. Nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>Cannot reach the endpoint, TLS failed, or the token was rejected (missing, expired, wrong secret).</summary>
    public const int Unreachable = 3;
}

/// <summary>A command-line problem found after parsing (conflicting options, unreadable file…): exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);
