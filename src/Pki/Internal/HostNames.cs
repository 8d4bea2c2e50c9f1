using System.Net;
using System.Net.Sockets;

namespace Mesh.Pki.Internal;

/// <summary>Splits names into DNS names and IP literals, rejecting anything that is neither.</summary>
internal static class HostNames
{
    public static bool TryParseIp(string name, out IPAddress address)
    {
        address = IPAddress.None;
        // IPAddress.TryParse accepts "1" or "10.1" as IPv4; a SAN IP literal must be dotted-quad or contain ':'.
        if (name.Contains(':', StringComparison.Ordinal))
        {
            var trimmed = name.StartsWith('[') && name.EndsWith(']') ? name[1..^1] : name;
            if (IPAddress.TryParse(trimmed, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 && v6.ScopeId == 0)
            {
                address = v6;
                return true;
            }

            return false;
        }

        var parts = name.Split('.');
        if (parts.Length != 4)
            return false;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || int.Parse(part, System.Globalization.CultureInfo.InvariantCulture) > 255)
                return false;
        }

        return IPAddress.TryParse(name, out address!);
    }

    /// <summary>RFC 1123 host name: labels of letters, digits and '-', 1–63 chars each, 253 total; a trailing dot is dropped.</summary>
    public static bool IsValidDnsName(string name)
    {
        if (name.EndsWith('.'))
            name = name[..^1];
        if (name.Length is 0 or > 253)
            return false;
        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
                return false;
            foreach (var ch in label)
            {
                if (!(char.IsAsciiLetterOrDigit(ch) || ch == '-'))
                    return false;
            }
        }

        // An all-numeric dotted name would read as an IP address to clients.
        return !name.Split('.').All(l => l.All(char.IsAsciiDigit));
    }

    /// <summary>Classifies each name; throws a <see cref="PkiException"/> naming the first bad one.</summary>
    public static (List<string> Dns, List<IPAddress> Ips) Classify(IEnumerable<string> names, string what)
    {
        var dns = new List<string>();
        var ips = new List<IPAddress>();
        foreach (var raw in names)
        {
            var name = raw?.Trim() ?? string.Empty;
            if (name.Length == 0)
                throw new PkiException($"{what}: an empty name was given");
            if (TryParseIp(name, out var ip))
            {
                if (!ips.Contains(ip))
                    ips.Add(ip);
            }
            else if (IsValidDnsName(name))
            {
                var lower = name.TrimEnd('.').ToLowerInvariant();
                if (!dns.Contains(lower))
                    dns.Add(lower);
            }
            else
            {
                throw new PkiException($"{what}: '{name}' is neither a DNS name (letters, digits, '-', dot-separated labels) nor an IP address literal");
            }
        }

        return (dns, ips);
    }
}
