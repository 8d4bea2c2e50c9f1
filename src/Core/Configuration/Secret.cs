using System.Security.Cryptography;
using System.Text;

namespace Mesh.Core.Configuration;

/// <summary>A secret value from configuration. Prints as "(secret)" so records holding it can be logged safely.</summary>
public sealed class Secret
{
    private readonly string _value;

    public Secret(string value) => _value = value;

    public string Reveal() => _value;

    public byte[] RevealBytes() => Encoding.UTF8.GetBytes(_value);

    /// <summary>Constant-time comparison with a presented value.</summary>
    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(_value), Encoding.UTF8.GetBytes(presented));

    public override string ToString() => "(secret)";
}
