using Mesh.Toml;
using Mesh.Toml.TestDecoder;

// toml-test decoder protocol: TOML on stdin; tagged JSON on stdout and exit 0, or a message on stderr and exit 1.
using var input = Console.OpenStandardInput();
using var buffer = new MemoryStream();
input.CopyTo(buffer);

if (!TomlParser.TryParse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), path: null, out var root, out var diagnostics))
{
    foreach (var diagnostic in diagnostics)
    {
        Console.Error.WriteLine(diagnostic.ToString());
    }

    return 1;
}

using var stdout = Console.OpenStandardOutput();
using var writer = new StreamWriter(stdout, new System.Text.UTF8Encoding(false));
writer.Write(TaggedJson.Encode(root, indented: true));
writer.WriteLine();
return 0;
