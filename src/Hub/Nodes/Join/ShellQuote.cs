namespace Mesh.Hub.Nodes.Join;

/// <summary>POSIX shell quoting: every value the hub puts into a command line another machine's shell reads.</summary>
public static class ShellQuote
{
    private static readonly System.Buffers.SearchValues<char> Plain =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:@%+=,-");

    /// <summary>
    /// The value as one shell word: as it is when every character is plain (letters, digits, <c>_./:@%+=,-</c>), else
    /// single-quoted with <c>'</c> written as <c>'\''</c>. NUL cannot be passed to a shell and is refused.
    /// </summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("a shell word cannot contain NUL", nameof(value));
        if (value.Length > 0 && !value.AsSpan().ContainsAnyExcept(Plain))
            return value;
        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Each value quoted, separated by spaces.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
