using System.Net;

namespace Mesh.Core.Configuration;

internal sealed partial class ConfigBinder
{
    private ListenAddress? BindListen(string path, string? fallback)
    {
        var value = _raw.Get(path);
        if (value is null)
            return fallback is null ? null : ParseListenOrThrow(fallback);

        if (ListenAddress.TryParse((string)value.Value, out var address, out var error))
            return address;
        Problem(value, error);
        return fallback is null ? null : ParseListenOrThrow(fallback);
    }

    private static ListenAddress ParseListenOrThrow(string text) =>
        ListenAddress.TryParse(text, out var address, out _) ? address! : throw new InvalidOperationException($"bad built-in default '{text}'");

    private List<string> BindAdvertise()
    {
        var value = _raw.Get("internal_grpc.advertise");
        if (value is null)
            return [];
        var names = (List<string>)value.Value;
        foreach (var name in names)
        {
            if (!IPAddress.TryParse(name, out _) && Uri.CheckHostName(name) != UriHostNameType.Dns)
                Problem(value, $"'{name}' is neither a DNS name nor an IP address. Write names like \"hub.example.com\" or \"10.0.0.5\", without scheme or port.");
        }

        return names;
    }

    private Secret? BindSecret(string path, string what)
    {
        var value = _raw.Get(path);
        if (value is null)
            return null;
        var text = (string)value.Value;
        if (!SecretStrength.IsStrong(text, out var reason))
        {
            Problem(value, $"{what} is too weak: {reason} Generate one with: openssl rand -base64 32");
            return null;
        }

        return new Secret(text);
    }

    private List<Secret> BindPreviousSecrets()
    {
        var value = _raw.Get("internal_grpc.auth.previous_secrets");
        if (value is null)
            return [];
        var result = new List<Secret>();
        var index = 0;
        foreach (var text in (List<string>)value.Value)
        {
            if (SecretStrength.IsStrong(text, out var reason))
                result.Add(new Secret(text));
            else
                Problem(value, $"element {index} is too weak: {reason}");
            index++;
        }

        return result;
    }

    // Ranges are checked when the value is read (ConfigSchema); here only the defaults remain.
    private TimeSpan BindClockSkew() =>
        _raw.Get("internal_grpc.auth.clock_skew")?.Value as TimeSpan? ?? TimeSpan.FromSeconds(30);

    private TimeSpan BindNodeCertificateLifetime() =>
        _raw.Get("internal_grpc.security.node_certificate_lifetime")?.Value as TimeSpan? ?? TimeSpan.FromHours(24);

    private List<string> BindCapabilities()
    {
        var value = _raw.Get("node.capabilities");
        if (value is null)
            return [];
        var items = (List<string>)value.Value;
        foreach (var item in items)
        {
            if (!Capabilities.IsValid(item))
                Problem(value, $"capability '{item}' is not 1-64 characters of [A-Za-z0-9._:/-].");
        }

        return items.Distinct(StringComparer.Ordinal).ToList();
    }

    private List<string> BindAbsolutePaths(string path)
    {
        var value = _raw.Get(path);
        if (value is null)
            return [];
        var items = (List<string>)value.Value;
        foreach (var item in items)
        {
            if (!Path.IsPathFullyQualified(item))
                Problem(value, $"'{item}' is not an absolute path. Safe paths must be absolute, e.g. \"/data/mesh\".");
        }

        return items.Select(Path.GetFullPath).ToList();
    }

    private string? BindAbsolutePath(string path)
    {
        var value = _raw.Get(path);
        if (value is null)
            return null;
        var text = (string)value.Value;
        if (Path.IsPathFullyQualified(text))
            return Path.GetFullPath(text);
        Problem(value, $"'{text}' is not an absolute path, e.g. \"/data/mesh/worktrees\".");
        return null;
    }
}
