namespace Mesh.Hub.Nodes.Join;

/// <summary>POSIX shell quoting: every value the hub puts into a command line another machine's shell reads.</summary>
public static class ShellQuote
{
    /// <summary>The value as one single-quoted word: <c>'</c> becomes <c>'\''</c>; NUL cannot be quoted and is refused.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("a shell word cannot contain NUL", nameof(value));
        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Each value quoted, separated by spaces.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
