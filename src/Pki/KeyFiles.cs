using System.Security.Cryptography.X509Certificates;
using Mesh.Pki.Internal;

namespace Mesh.Pki;

/// <summary>Key and certificate files in cert_dir: atomic writes, 0600 keys, refusal of group/world-readable keys.</summary>
public static class KeyFiles
{
    private const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PublicMode = PrivateMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Writes to a temp file in the same directory, fsyncs, renames over <paramref name="path"/>, fsyncs the directory. Mode 0600 when private, else 0644.</summary>
    public static void WriteAtomically(string path, string content, bool isPrivate)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? throw new PkiException($"'{path}' has no directory");
        if (!Directory.Exists(dir))
            throw new PkiException($"directory {dir} does not exist; create it (mode 0700) or fix cert_dir");
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var mode = isPrivate ? PrivateMode : PublicMode;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = mode;
            using (var stream = new FileStream(temp, options))
            {
                // umask may have cleared bits of a public file; set the exact mode before any byte is written.
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(stream.SafeFileHandle, mode);
                var bytes = System.Text.Encoding.UTF8.GetBytes(content);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
            Native.FsyncDirectory(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new PkiException($"cannot write {full}: {ex.Message}", ex);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes a certificate (0644) and its private key (0600, PKCS#8 PEM), key first.</summary>
    public static void WriteCertificateAndKey(string certPath, string keyPath, X509Certificate2 certificateWithKey)
    {
        using var key = Keys.GetPrivateKey(certificateWithKey)
            ?? throw new PkiException($"certificate '{certificateWithKey.Subject}' has no private key to write to {keyPath}");
        WriteAtomically(keyPath, Keys.ExportPrivateKeyPem(key), isPrivate: true);
        WriteAtomically(certPath, Certificates.ToPem(certificateWithKey), isPrivate: false);
    }

    /// <summary>Throws when the key file is missing or can be read, written or executed by group or others, with the chmod that fixes it.</summary>
    public static void EnsurePrivate(string path)
    {
        if (!File.Exists(path))
            throw new PkiException($"key file {path} does not exist");
        if (OperatingSystem.IsWindows())
            return;
        var mode = File.GetUnixFileMode(path);
        var exposed = mode & GroupOrOther;
        if (exposed == 0)
            return;
        var how = (exposed & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0 ? "readable" : "accessible";
        throw new PkiException($"key file {path} is {how} by group/others (mode {Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0')}); run: chmod 600 {path}");
    }

    /// <summary>Loads a PEM certificate (first block = leaf) and its PEM private key (EC or RSA) after <see cref="EnsurePrivate"/>; the result works as a TLS server or client certificate.</summary>
    public static X509Certificate2 LoadCertificateWithKey(string certPath, string keyPath)
    {
        EnsurePrivate(keyPath);
        if (!File.Exists(certPath))
            throw new PkiException($"certificate file {certPath} does not exist");
        using var cert = Certificates.ReadPem(File.ReadAllText(certPath), $"certificate file {certPath}");
        using var key = Keys.ReadPrivateKey(File.ReadAllText(keyPath), $"key file {keyPath}");
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Keys.SubjectPublicKeyInfo(key), cert.PublicKey.ExportSubjectPublicKeyInfo()))
            throw new PkiException($"key file {keyPath} does not match the public key of certificate file {certPath}");
        using var withKey = Keys.CopyWithKey(cert, key);
        return Keys.UsableForTls(withKey);
    }

    /// <summary>Creates the directory with mode 0700 when missing.</summary>
    public static void EnsureDirectory(string dir)
    {
        if (Directory.Exists(dir))
            return;
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(dir);
        else
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error is the one worth reporting.
        }
    }
}
