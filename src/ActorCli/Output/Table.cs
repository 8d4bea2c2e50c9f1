using System.Text;

namespace Mesh.ActorCli.Output;

/// <summary>A plain text table: a header row, columns padded to their widest cell, the last column left ragged.</summary>
internal sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public Table Add(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public int Count => _rows.Count;

    public void WriteTo(TextWriter output)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(headers, widths));
        foreach (var row in _rows)
            output.WriteLine(Line(row, widths));
    }

    /// <summary>Shortens text for one table cell: first line only, at most <paramref name="max"/> characters.</summary>
    public static string Cell(string text, int max = 60)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }

    private static string Line(string[] cells, int[] widths)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
                builder.Append("  ");
            builder.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i]));
        }

        return builder.ToString().TrimEnd();
    }
}
