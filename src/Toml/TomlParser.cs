using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;
using Mesh.Toml.Parsing;

namespace Mesh.Toml;

/// <summary>Reads TOML 1.0 documents.</summary>
public static class TomlParser
{
    /// <summary>Parses <paramref name="text"/>; a leading byte order mark is ignored.</summary>
    /// <exception cref="TomlException">The document is not valid TOML 1.0.</exception>
    public static TomlTable Parse(string text, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, path, out var root, out var diagnostics) ? root : throw new TomlException(diagnostics);
    }

    /// <summary>Parses UTF-8 bytes: rejects invalid UTF-8 and ignores a leading byte order mark.</summary>
    /// <exception cref="TomlException">The bytes are not UTF-8 or not valid TOML 1.0.</exception>
    public static TomlTable Parse(ReadOnlySpan<byte> utf8, string? path = null)
    {
        return TryParse(utf8, path, out var root, out var diagnostics) ? root : throw new TomlException(diagnostics);
    }

    public static bool TryParse(string text, string? path, [NotNullWhen(true)] out TomlTable? root, out IReadOnlyList<TomlDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text, path);
        return parser.TryParse(out root, out diagnostics);
    }

    public static bool TryParse(ReadOnlySpan<byte> utf8, string? path, [NotNullWhen(true)] out TomlTable? root, out IReadOnlyList<TomlDiagnostic> diagnostics)
    {
        if (!Utf8.IsValid(utf8))
        {
            root = null;
            diagnostics = [InvalidUtf8(utf8, path)];
            return false;
        }

        return TryParse(Encoding.UTF8.GetString(utf8), path, out root, out diagnostics);
    }

    private static TomlDiagnostic InvalidUtf8(ReadOnlySpan<byte> utf8, string? path)
    {
        var buffer = ArrayPool<char>.Shared.Rent(utf8.Length + 1);
        try
        {
            Utf8.ToUtf16(utf8, buffer, out var bytesRead, out var charsWritten, replaceInvalidSequences: false);
            var line = 1;
            var lineStart = 0;
            for (var i = 0; i < charsWritten; i++)
            {
                if (buffer[i] == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }

            var column = charsWritten - lineStart + 1;
            if (line == 1 && charsWritten > 0 && buffer[0] == '\uFEFF')
            {
                column--;
            }

            var position = new TomlPosition(line, column);
            return new TomlDiagnostic(path, new TomlSpan(position, position), $"invalid UTF-8 byte 0x{utf8[bytesRead]:X2} (the document must be UTF-8 encoded)");
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
