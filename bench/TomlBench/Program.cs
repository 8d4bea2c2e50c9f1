using BenchmarkDotNet.Running;
using Mesh.Toml;
using Mesh.Toml.Bench;

if (args.Length > 0 && args[0] == "--sizes")
{
    // Prints the generated documents' sizes and node counts, to turn mean times into MB/s.
    foreach (var size in new[] { 10 * 1024, 100 * 1024 })
    {
        var text = ConfigGenerator.Generate(size);
        var nodes = ((TomlArray)TomlParser.Parse(text)["node"]).Count;
        Console.WriteLine($"{size / 1024} KB target: {System.Text.Encoding.UTF8.GetByteCount(text)} bytes, {text.Split('\n').Length} lines, {nodes} [[node]] tables");
    }

    return;
}

if (args.Length > 0 && args[0] == "--quick")
{
    // A quick sanity figure (not a benchmark): allocated bytes and mean time over repeated parses.
    foreach (var size in new[] { 10 * 1024, 100 * 1024 })
    {
        var text = ConfigGenerator.Generate(size);
        for (var i = 0; i < 50; i++)
        {
            TomlParser.Parse(text);
        }

        var runs = size > 50_000 ? 200 : 2000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < runs; i++)
        {
            TomlParser.Parse(text);
        }

        watch.Stop();
        var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / runs;
        Console.WriteLine($"{text.Length} chars: {watch.Elapsed.TotalMicroseconds / runs:0.0} us/parse, {allocated / 1024.0:0.0} KB allocated/parse");
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ParseBenchmarks).Assembly).Run(args);
