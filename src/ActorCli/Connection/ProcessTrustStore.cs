using System.Runtime.InteropServices;

namespace Mesh.ActorCli.Connection;

/// <summary>
/// Points this process's OpenSSL default trust store at the hub's CA file. The CLI trusts nothing but that CA anyway
/// (<see cref="HubCertificateCheck"/>, a custom-root chain policy), yet .NET on Linux loads the whole system store —
/// every file in /etc/ssl/certs — to build the TLS chain: about 80 of a call's 110 ms (docs/benchmarks.md). Done
/// before the first certificate is loaded, and whatever the variables said: every connection this process makes is
/// to the hub, which only its CA can vouch for.
/// </summary>
internal static partial class ProcessTrustStore
{
    private const string FileVariable = "SSL_CERT_FILE";
    private const string DirectoryVariable = "SSL_CERT_DIR";

    public static void UseOnly(string caFile)
    {
        if (!OperatingSystem.IsLinux())
            return;
        Set(FileVariable, Path.GetFullPath(caFile));
        Set(DirectoryVariable, Path.Combine(Path.GetTempPath(), "mesh-actor-no-system-certificates"));
    }

    // Both the managed and the native environment: OpenSSL reads the native one.
    private static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        _ = SetNative(name, value, 1);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetNative(string name, string value, int overwrite);
}
