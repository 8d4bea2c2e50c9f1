using System.Text;

namespace Mesh.Core.Configuration.Toml;

/// <summary>Decodes UTF-8 and refuses malformed bytes instead of replacing them (a replaced character would silently change a secret or path).</summary>
internal static class StrictUtf8
{
    private static readonly UTF8Encoding Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A leading byte order mark stays in <paramref name="text"/>; Tomlyn skips it.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out string text, out int badByteOffset)
    {
        try
        {
            text = Encoding.GetString(bytes);
            badByteOffset = -1;
            return true;
        }
        catch (DecoderFallbackException ex)
        {
            text = string.Empty;
            badByteOffset = ex.Index;
            return false;
        }
    }
}
