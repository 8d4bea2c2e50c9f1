namespace Mesh.Toml.Parsing;

/// <summary>Maps a character offset to a 1-based line and column (lines end at '\n').</summary>
internal sealed class LineMap
{
    private readonly List<int> _lineStarts = [0];
    private readonly int _firstLineSkew;

    public LineMap(string text, int bomLength)
    {
        var span = text.AsSpan();
        var offset = 0;
        while (true)
        {
            var next = span[offset..].IndexOf('\n');
            if (next < 0)
            {
                break;
            }

            offset += next + 1;
            _lineStarts.Add(offset);
        }

        // A byte order mark is not part of the first line as an editor shows it.
        _firstLineSkew = bomLength;
    }

    public TomlPosition Position(int offset)
    {
        var index = _lineStarts.BinarySearch(offset);
        if (index < 0)
        {
            index = ~index - 1;
        }

        var column = offset - _lineStarts[index] + 1;
        if (index == 0)
        {
            column = Math.Max(1, column - _firstLineSkew);
        }

        return new TomlPosition(index + 1, column);
    }

    public TomlSpan Span(int start, int end) => new(Position(start), Position(end));
}
