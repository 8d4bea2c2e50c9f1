using System.Text;
using BenchmarkDotNet.Attributes;

namespace Mesh.Toml.Bench;

[MemoryDiagnoser]
public class ParseBenchmarks
{
    private string _text = string.Empty;
    private byte[] _utf8 = [];

    [Params(10 * 1024, 100 * 1024)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = ConfigGenerator.Generate(Bytes);
        _utf8 = Encoding.UTF8.GetBytes(_text);
        var root = TomlParser.Parse(_text);
        if (root["node"] is not TomlArray { Count: > 0 })
        {
            throw new InvalidOperationException("The generated document did not parse as expected.");
        }
    }

    [Benchmark(Baseline = true)]
    public TomlTable ParseString() => TomlParser.Parse(_text);

    [Benchmark]
    public TomlTable ParseUtf8() => TomlParser.Parse(_utf8);
}
