using System.Globalization;
using Mesh.MailboxBench;

// One command, side by side: the Mesh hub's mailbox (Send → Watch → Ack) on SQLite and on PostgreSQL, and Redis Streams
// (XADD → XREADGROUP → XACK) on this machine, plus the store alone on each backend. Usage:
//   dotnet run -c Release --project bench/MailboxBench -- [--messages N] [--concurrency C] [--rate R] [--seconds S] [--rounds K] [--store-only] [--no-postgres] [--pg-statements]
var messages = Arg("--messages", 50_000);
var concurrency = Arg("--concurrency", 64);
var rate = Arg("--rate", 1_000);
var seconds = Arg("--seconds", 10);
var rounds = Arg("--rounds", 2);
var root = FindRoot();
var results = new List<RunResult>();
var storeOnly = args.Contains("--store-only");

// Watch-stream memory: dotnet run -c Release --project bench/MailboxBench -- --watch-memory 10000 [--gc server,workstation,conserve]
if (Arg("--watch-memory", 0) is > 0 and var watchStreams)
{
    var modes = (args.SkipWhile(a => a != "--gc").Skip(1).FirstOrDefault() ?? "server").Split(',');
    Console.WriteLine("| GC | fresh RSS MiB | streams opened | RSS with streams MiB | per stream | 30 s after closing MiB | with N streams again MiB | after closing them and a forced full GC MiB | GC committed after it MiB |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var mode in modes)
        await WatchMemory.RunAsync(root, watchStreams, mode);
    return 0;
}

var postgres = !args.Contains("--no-postgres") && Mesh.Bench.PostgresInstance.FindBinaries() is not null;
Console.WriteLine($"mailbox bench: {messages:N0} messages × {rounds} rounds at {concurrency} concurrent senders; paced {rate}/s for {seconds} s; {Environment.ProcessorCount} cores; PostgreSQL {(postgres ? "on" : "off")}");
// --pg-statements: after each PostgreSQL scenario, the statements the server ran per message (pg_stat_statements).
var statementStats = args.Contains("--pg-statements");
await using var pg = postgres ? await Mesh.Bench.PostgresInstance.StartAsync(statementStats ? Mesh.Bench.PostgresInstance.StatementStatsOptions : "") : null;
var stats = pg is not null && statementStats ? new StatementStats(pg) : null;
if (!storeOnly)
{
    var hubs = new List<MeshTarget> { await MeshTarget.StartAsync(root) };
    if (pg is not null)
    {
        await pg.CreateDatabaseAsync("mailbox");
        hubs.Add(await MeshTarget.StartAsync(root, pg.StoreToml("mailbox", "MESH_BENCH_PG_PASSWORD"), new Dictionary<string, string> { ["MESH_BENCH_PG_PASSWORD"] = pg.Password },
            $"Mesh hub (gRPC, PostgreSQL {pg.Version})", () => Mesh.Bench.ProcessTreeCpu.Read(pg.PostmasterPid)));
    }

    await using var redis = await RedisTarget.StartAsync();
    try
    {
        // Warm-up (tiered JIT reaches its optimized code only after a few seconds of load; connections; database pages), not reported.
        foreach (var hub in hubs)
        {
            for (var i = 0; i < 3; i++)
                await hub.ThroughputAsync(10_000, concurrency);
            await hub.BatchThroughputAsync(10_000, 8, 100);
        }

        await redis.ThroughputAsync(10_000, concurrency);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var hub in hubs)
                results.Add(await ReportAsync(hub.Label, () => RunResult.WithServerCpuAsync(hub.Cpu, () => hub.ThroughputAsync(messages, concurrency))));
            results.Add(Report(await RunResult.WithServerCpuAsync(redis.Server, () => redis.ThroughputAsync(messages, concurrency))));
        }

        // Same flow with the batch API: 100 messages per Send call, still one durable commit before the answer.
        for (var round = 0; round < rounds; round++)
        {
            foreach (var hub in hubs)
                results.Add(await ReportAsync(hub.Label, () => RunResult.WithServerCpuAsync(hub.Cpu, () => hub.BatchThroughputAsync(messages * 2, 8, 100))));
        }

        foreach (var hub in hubs)
            results.Add(await ReportAsync(hub.Label, () => RunResult.WithServerCpuAsync(hub.Cpu, () => hub.PacedAsync(rate, seconds))));
        results.Add(Report(await RunResult.WithServerCpuAsync(redis.Server, () => redis.PacedAsync(rate, seconds))));
    }
    finally
    {
        foreach (var hub in hubs)
            await hub.DisposeAsync();
    }
}

for (var round = 0; round < rounds; round++)
{
    results.Add(Report(await StoreTarget.SendAsync(messages * 2, 256)));
    if (pg is not null)
    {
        await pg.CreateDatabaseAsync($"store{round}");
        results.Add(await ReportAsync("PostgreSQL", () => StoreTarget.SendAsync(pg, $"store{round}", messages * 2, 256)));
    }
}

Console.WriteLine();
Console.WriteLine("| system | scenario | messages | msg/s | p50 ms | p99 ms | server CPU µs/msg |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
foreach (var r in results)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.System} | {r.Scenario} | {r.Messages:N0} | {r.PerSecond:N0} | {r.Percentile(50):0.00} | {r.Percentile(99):0.00} | {(double.IsNaN(r.ServerCpuPerMessageUs) ? "–" : r.ServerCpuPerMessageUs.ToString("0.0", CultureInfo.InvariantCulture))} |"));

if (storeOnly)
    return 0;
var redisBest = Best("Redis");
Console.WriteLine();
foreach (var system in results.Select(r => r.System).Where(s => s.StartsWith("Mesh hub", StringComparison.Ordinal)).Distinct())
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best throughput: {system} {Best(system):N0} msg/s, Redis {redisBest:N0} msg/s, ratio = {Best(system) / redisBest:0.00}"));
return 0;

double Best(string system) =>
    results.Where(r => r.System.StartsWith(system, StringComparison.Ordinal) && r.Scenario.StartsWith("throughput", StringComparison.Ordinal)).Max(r => r.PerSecond);

// Reports a run; on PostgreSQL with --pg-statements also what the server executed meanwhile.
async Task<RunResult> ReportAsync(string system, Func<Task<RunResult>> run)
{
    var counted = stats is not null && system.Contains("PostgreSQL", StringComparison.Ordinal);
    if (counted)
        await stats!.ResetAsync();
    var result = Report(await run());
    if (counted)
        await stats!.PrintAsync(result);
    return result;
}

RunResult Report(RunResult r)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.System,-44} {r.Scenario,-26} {r.Messages,8:N0} msgs in {r.Elapsed.TotalSeconds,6:0.00} s = {r.PerSecond,9:N0} msg/s  p50 {r.Percentile(50),7:0.00} ms  p99 {r.Percentile(99),7:0.00} ms  server CPU {r.ServerCpuPerMessageUs,6:0.0} µs/msg"));
    return r;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln")))
            return dir.FullName;
    }

    throw new InvalidOperationException("run from inside the repository (Mesh.sln not found)");
}
