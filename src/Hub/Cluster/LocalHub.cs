using System.Security.Cryptography;

namespace Mesh.Hub.Cluster;

/// <summary>
/// This hub's id among the hubs that share a database: made once (host name and random hex) and kept in
/// <c>data_dir/hub-id</c>, so a restart is the same hub and its stale leases and sessions are its own to clear.
/// Ids are 1–48 of <c>[a-z0-9-]</c>, so one also names a bus channel.
/// </summary>
public sealed class LocalHub
{
    public const string FileName = "hub-id";

    public LocalHub(string id)
    {
        if (!IsValid(id))
            throw new ArgumentException($"hub id '{DisplayText.Truncate(id)}' must be 1–48 characters of a-z, 0-9 and '-'", nameof(id));
        Id = id;
    }

    public string Id { get; }

    /// <summary>Reads <c>data_dir/hub-id</c>, or makes and writes one. A file that holds something else is refused with its path.</summary>
    public static LocalHub Load(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        try
        {
            if (File.Exists(path))
            {
                var text = File.ReadAllText(path).Trim();
                return IsValid(text)
                    ? new LocalHub(text)
                    : throw new HubIdException($"{path} holds '{DisplayText.Truncate(text)}', not a hub id (1–48 of a-z, 0-9, '-'). Fix it, or delete the file and the hub makes a new id.");
            }

            var made = new LocalHub(Make(Environment.MachineName));
            var temp = path + ".tmp";
            File.WriteAllText(temp, made.Id + "\n");
            File.Move(temp, path, overwrite: true);
            return made;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HubIdException($"cannot read or write the hub id {path}: {ex.Message}", ex);
        }
    }

    public static bool IsValid(string id) =>
        id.Length is > 0 and <= 48 && id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');

    private static string Make(string host)
    {
        var name = new string([.. host.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-')]).Trim('-');
        if (name.Length > 32)
            name = name[..32].TrimEnd('-');
        var suffix = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        return name.Length == 0 ? "hub-" + suffix : name + "-" + suffix;
    }

    public override string ToString() => Id;
}

/// <summary>The hub id file cannot be used; the message names it and what to do.</summary>
public sealed class HubIdException(string message, Exception? inner = null) : Exception(message, inner);
