using System.Text.RegularExpressions;

namespace Mesh.Hub.Nodes.Provisioning;

/// <summary>A machine the hub reaches over SSH: host, port and the user it logs in as.</summary>
public sealed partial record SshTarget(string Host, int Port, string User)
{
    /// <summary>Checks what an operator typed; the messages name the field and say what is expected.</summary>
    public static IReadOnlyDictionary<string, string> Validate(string? host, string? port, string? user, out SshTarget? target)
    {
        var errors = new Dictionary<string, string>();
        target = null;
        host = host?.Trim();
        user = user?.Trim();
        if (string.IsNullOrEmpty(host) || !HostPattern().IsMatch(host))
            errors["host"] = "Enter a host name or IP address (letters, digits, '.', '-', ':'), e.g. gpu-01.example.com or 10.0.0.7.";
        var portNumber = 22;
        if (!string.IsNullOrWhiteSpace(port) && (!int.TryParse(port, out portNumber) || portNumber is < 1 or > 65535))
            errors["port"] = $"'{port}' is not a port from 1 to 65535.";
        if (string.IsNullOrEmpty(user) || !UserPattern().IsMatch(user))
            errors["user"] = "Enter a user name (letters, digits, '.', '_', '-'; at most 32), e.g. root or admin.";
        if (errors.Count == 0)
            target = new SshTarget(host!.Trim('[', ']'), portNumber, user!);
        return errors;
    }

    public override string ToString() => $"{User}@{Host}:{Port}";

    [GeneratedRegex("^[A-Za-z0-9.:\\[\\]-]{1,253}$")]
    private static partial Regex HostPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9._-]{0,31}$")]
    private static partial Regex UserPattern();
}
