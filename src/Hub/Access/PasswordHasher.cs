using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mesh.Hub.Access;

/// <summary>
/// PBKDF2-SHA256 password hashes as "pbkdf2-sha256$&lt;iterations&gt;$&lt;salt b64&gt;$&lt;hash b64&gt;" (the format of
/// <c>[admin] root_password_hash</c>). Verification is constant-time.
/// </summary>
public static class PasswordHasher
{
    public const int Iterations = 210_000;
    private const string Prefix = "pbkdf2-sha256";

    public static string Hash(string password, int iterations = Iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Prefix}${iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool IsWellFormed(string encoded, out string error)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 4 || parts[0] != Prefix)
        {
            error = $"expected {Prefix}$<iterations>$<salt base64>$<hash base64> (make one with: mesh-hash or the command in docs/operations.md)";
            return false;
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 100_000)
        {
            error = "iterations must be a number of at least 100000";
            return false;
        }

        try
        {
            if (Convert.FromBase64String(parts[2]).Length < 16 || Convert.FromBase64String(parts[3]).Length != 32)
            {
                error = "salt must be at least 16 bytes and the hash 32 bytes (base64)";
                return false;
            }
        }
        catch (FormatException)
        {
            error = "salt and hash must be base64";
            return false;
        }

        error = "";
        return true;
    }

    public static bool Verify(string password, string encoded)
    {
        if (!IsWellFormed(encoded, out _))
            return false;
        var parts = encoded.Split('$');
        var iterations = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>A random password an operator can type: 20 characters from an unambiguous alphabet (~115 bits).</summary>
    public static string NewPassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }
}
