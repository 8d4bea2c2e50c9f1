using Mesh.Core.Configuration;
using Mesh.Hosting;
using Mesh.Node.Hosting;

// node-aot run --node-mode --config PATH: what `mesh run --node-mode --config PATH` does, without the command line
// (System.CommandLine) and without the hub. NODE_AOT_GC_INFO=SECONDS prints the GC's own figures after that long.
var at = Array.IndexOf(args, "--config");
if (at < 0 || at + 1 >= args.Length)
{
    Console.Error.WriteLine("usage: node-aot [run --node-mode] --config PATH");
    return 2;
}

using var stop = new CancellationTokenSource();
using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.Cancel();
});
if (int.TryParse(Environment.GetEnvironmentVariable("NODE_AOT_GC_INFO"), out var seconds))
{
    _ = Task.Delay(TimeSpan.FromSeconds(seconds), stop.Token).ContinueWith(_ =>
    {
        var info = GC.GetGCMemoryInfo();
        Console.WriteLine($"gc: heap {info.HeapSizeBytes >> 10} KiB, committed {info.TotalCommittedBytes >> 10} KiB, total memory {GC.GetTotalMemory(false) >> 10} KiB, "
            + string.Join(", ", GC.GetConfigurationVariables().Select(kv => $"{kv.Key}={kv.Value}")));
    }, TaskScheduler.Default);
}

var config = ConfigLoader.Load(args[at + 1], forceRole: MeshRole.Node);
return await NodeHost.RunAsync(config, logging => MeshLogging.Configure(logging, json: false), Console.Out, stop.Token);
