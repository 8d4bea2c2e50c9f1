using System.Text.Json;

namespace Mesh.Cli;

/// <summary>The text output of mesh agents: a table for the list, key: value lines for one agent.</summary>
internal static class AgentsText
{
    private static readonly string[] Header = ["ID", "NODE", "STATE", "RESTARTS", "LAST EXIT"];

    public static void Table(JsonElement agents, TextWriter output)
    {
        var rows = new List<string[]> { Header };
        foreach (var agent in agents.EnumerateArray())
        {
            var status = agent.GetProperty("status");
            rows.Add([agent.GetProperty("id").GetString()!, agent.GetProperty("node_id").GetString()!, status.GetProperty("state").GetString()!,
                status.GetProperty("restarts").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), LastExit(status)]);
            foreach (var replica in Replicas(agent))
                rows.Add(["  " + replica.GetProperty("name").GetString(), replica.GetProperty("node_id").GetString() ?? "-", replica.GetProperty("state").GetString()!, "", ""]);
        }

        var widths = Enumerable.Range(0, 5).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
    }

    public static void One(JsonElement agent, TextWriter output)
    {
        var status = agent.GetProperty("status");
        output.WriteLine($"id:        {agent.GetProperty("id").GetString()}");
        output.WriteLine($"node:      {agent.GetProperty("node_id").GetString()}");
        output.WriteLine($"command:   {string.Join(' ', agent.GetProperty("command").EnumerateArray().Select(a => a.GetString()))}");
        output.WriteLine($"desired:   {agent.GetProperty("desired_state").GetString()}   restart policy: {agent.GetProperty("restart_policy").GetString()}");
        output.WriteLine($"state:     {status.GetProperty("state").GetString()}{(status.GetProperty("message").GetString() is { Length: > 0 } m ? " (" + m + ")" : "")}");
        output.WriteLine($"restarts:  {status.GetProperty("restarts").GetInt32()}");
        if (agent.TryGetProperty("replicas", out var count) && count.GetInt32() > 1)
        {
            output.WriteLine($"replicas:  {count.GetInt32()} (itself and:)");
            foreach (var replica in Replicas(agent))
                output.WriteLine($"  {replica.GetProperty("name").GetString()}  {replica.GetProperty("node_id").GetString() ?? "-"}  {replica.GetProperty("state").GetString()}");
        }

        if (status.GetProperty("run").ValueKind == JsonValueKind.Object)
        {
            var run = status.GetProperty("run");
            output.WriteLine($"run:       {run.GetProperty("run_id").GetString()} pid {run.GetProperty("pid").GetInt32()} since {run.GetProperty("started_at")}");
            output.WriteLine($"last exit: {LastExit(status)}");
            if (run.GetProperty("exit").ValueKind == JsonValueKind.Object)
            {
                foreach (var line in run.GetProperty("exit").GetProperty("last_lines").EnumerateArray())
                    output.WriteLine("  | " + line.GetString());
            }
        }
    }

    private static JsonElement[] Replicas(JsonElement agent) =>
        agent.TryGetProperty("replica_list", out var list) && list.ValueKind == JsonValueKind.Array ? [.. list.EnumerateArray()] : [];

    private static string LastExit(JsonElement status)
    {
        if (status.GetProperty("run").ValueKind != JsonValueKind.Object || status.GetProperty("run").GetProperty("exit").ValueKind != JsonValueKind.Object)
            return "-";
        var exit = status.GetProperty("run").GetProperty("exit");
        var how = exit.GetProperty("code").ValueKind == JsonValueKind.Number ? $"code {exit.GetProperty("code").GetInt32()}"
            : exit.GetProperty("signal").ValueKind == JsonValueKind.Number ? $"signal {exit.GetProperty("signal").GetInt32()}" : "";
        var reason = exit.GetProperty("reason").GetString();
        var detail = exit.GetProperty("error").GetString();
        return string.Join(", ", new[] { reason, how, detail }.Where(s => !string.IsNullOrEmpty(s)));
    }
}
