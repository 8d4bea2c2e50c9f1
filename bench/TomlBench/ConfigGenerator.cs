using System.Globalization;
using System.Text;

namespace Mesh.Toml.Bench;

/// <summary>Builds a realistic Mesh-like configuration of about the requested size, the same every run.</summary>
public static class ConfigGenerator
{
    public static string Generate(int approximateBytes)
    {
        var random = new Random(20240527);
        var sb = new StringBuilder(approximateBytes + 2048);
        sb.Append("""
            # Mesh hub configuration (generated for benchmarks)
            role = "hub"
            name = 'hub-main'

            [hub]
            listen = "0.0.0.0:8443"
            grpc_listen = "0.0.0.0:50051"
            public_url = "https://mesh.example.internal:8443"
            data_dir = '/var/lib/mesh'
            tls.cert = "/etc/mesh/tls/hub.crt"
            tls.key = "/etc/mesh/tls/hub.key"
            auth = { mode = "mtls", jwt_issuer = "mesh-hub", jwt_audience = "mesh", token_ttl = "15m" }
            started = 2024-05-27T07:32:00Z

            [store]
            kind = "sqlite"
            path = "/var/lib/mesh/mesh.db"
            busy_timeout_ms = 5_000

            """);
        sb.Append('\n');
        var i = 0;
        while (sb.Length < approximateBytes)
        {
            AppendNode(sb, random, i++);
        }

        return sb.ToString();
    }

    private static void AppendNode(StringBuilder sb, Random random, int i)
    {
        var inv = CultureInfo.InvariantCulture;
        var zone = Zones[random.Next(Zones.Length)];
        sb.Append(inv, $"# node {i}: {zone} pool\n");
        sb.Append("[[node]]\n");
        sb.Append(inv, $"id = \"node-{i:0000}\"\n");
        sb.Append(inv, $"address = \"10.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}:50051\"\n");
        sb.Append(inv, $"weight = {random.Next(1, 100)}\n");
        sb.Append(inv, $"cpu_quota = {random.NextDouble() * 16:0.00}\n");
        sb.Append(inv, $"enabled = {(random.Next(10) > 0 ? "true" : "false")}\n");
        sb.Append(inv, $"labels = {{ zone = \"{zone}\", tier = \"{Tiers[random.Next(Tiers.Length)]}\", rack = {random.Next(1, 40)} }}\n");
        sb.Append(inv, $"tags = [\"gpu-{random.Next(4)}\", \"linux\", 'x86_64', \"pool-{zone}\"]\n");
        sb.Append(inv, $"joined = {2023 + random.Next(2)}-{random.Next(1, 13):00}-{random.Next(1, 29):00}T{random.Next(24):00}:{random.Next(60):00}:{random.Next(60):00}.{random.Next(1000):000}+02:00\n");
        sb.Append(inv, $"maintenance = {random.Next(24):00}:30:00\n");
        sb.Append("description = \"\"\"\n  Worker node with \\\"standard\\\" tooling; \\\n  drains before upgrades.\\n\"\"\"\n");
        sb.Append(inv, $"[node.limits]\nmax_processes = {random.Next(4, 64)}\nmemory_mb = 0x{random.Next(0x400, 0x8000):X}\ntimeouts = [ 30, 60, 120 ]  # seconds\n\n");
    }

    private static readonly string[] Zones = ["eu-west-1a", "eu-west-1b", "us-east-2c", "ap-south-1a"];
    private static readonly string[] Tiers = ["batch", "interactive", "review"];
}
