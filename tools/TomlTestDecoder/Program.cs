using Mesh.Core.Configuration.Toml;
using Mesh.TomlTestDecoder;

// toml-test decoder protocol: TOML on stdin; tagged JSON on stdout and exit 0, or a message on stderr and exit 1.
// It parses exactly as Mesh reads its configuration file (TomlDocumentParser over Tomlyn).
using var input = Console.OpenStandardInput();
using var buffer = new MemoryStream();
input.CopyTo(buffer);

if (!StrictUtf8.TryDecode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), out var text, out var badByteOffset))
{
    Console.Error.WriteLine($"<input>: error: invalid UTF-8 (bad byte at offset {badByteOffset})");
    return 1;
}

if (!TomlDocumentParser.TryParse(text, out var root, out var error))
{
    Console.Error.WriteLine(error.ToString());
    return 1;
}

using var stdout = Console.OpenStandardOutput();
using var writer = new StreamWriter(stdout, new System.Text.UTF8Encoding(false));
writer.Write(TaggedJson.Encode(root, indented: true));
writer.WriteLine();
return 0;
