using System.Globalization;
using System.Net;

namespace Mesh.Core.Configuration;

/// <summary>A host:port to listen on. The host is an IP literal (IPv6 in brackets) or a DNS name.</summary>
public sealed record ListenAddress(string Host, int Port)
{
    /// <summary>Whether the host is localhost or a loopback IP (127.0.0.0/8, ::1).</summary>
    public bool IsLoopback =>
        string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    public static bool TryParse(string text, out ListenAddress? address, out string error)
    {
        address = null;
        if (text.Contains("://", StringComparison.Ordinal))
        {
            error = $"'{text}' is a URL; a listen address is host:port, e.g. '0.0.0.0:50051'.";
            return false;
        }

        string host;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = $"'{text}' is not [ipv6]:port, e.g. '[::1]:50051'.";
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out _))
            {
                error = $"'{host}' in '{text}' is not an IPv6 address.";
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                error = $"'{text}' has no port. Use host:port, e.g. '0.0.0.0:50051' (IPv6 as '[::]:50051').";
                return false;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
            if (!IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) != UriHostNameType.Dns)
            {
                error = $"'{host}' in '{text}' is neither an IP address nor a host name.";
                return false;
            }
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"port '{portText}' in '{text}' is not a number from 0 to 65535.";
            return false;
        }

        address = new ListenAddress(host, port);
        error = string.Empty;
        return true;
    }

    /// <summary>The endpoint Kestrel should bind; a host name other than localhost binds all interfaces.</summary>
    public IPEndPoint ToEndPoint()
    {
        if (IPAddress.TryParse(Host, out var ip))
            return new IPEndPoint(ip, Port);
        return string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
            ? new IPEndPoint(IPAddress.Loopback, Port)
            : new IPEndPoint(IPAddress.Any, Port);
    }

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
