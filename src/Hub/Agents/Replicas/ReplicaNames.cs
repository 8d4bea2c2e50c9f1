using System.Security.Cryptography;
using System.Text;

namespace Mesh.Hub.Agents.Replicas;

/// <summary>
/// Replica names: "verb-animal", the same sequence for the same agent id on every hub (candidate k is picked by
/// SHA-256 of "agent:k"), skipping every name that was ever a replica's or is an agent's or an actor's id. After 64
/// candidates a number is appended ("sailing-otter-2"), so the sequence never runs dry.
/// </summary>
public static class ReplicaNames
{
    private static readonly string[] Verbs =
    [
        "baking", "biking", "blinking", "bouncing", "building", "carving", "chasing", "climbing", "coding", "counting", "crafting", "dancing", "digging", "diving",
        "drawing", "dreaming", "drifting", "fishing", "floating", "flying", "folding", "gliding", "growing", "hiking", "hopping", "humming", "hunting", "jogging",
        "juggling", "jumping", "knitting", "laughing", "leaping", "mapping", "marching", "mining", "nesting", "painting", "pacing", "planting", "prowling", "racing",
        "reading", "roaming", "rowing", "running", "sailing", "singing", "skating", "skiing", "sleeping", "sliding", "sniffing", "soaring", "spinning", "sprinting",
        "surfing", "swimming", "tapping", "thinking", "trotting", "walking", "weaving", "whistling",
    ];

    private static readonly string[] Animals =
    [
        "badger", "bat", "bear", "beaver", "bison", "boar", "camel", "cat", "cobra", "crane", "crow", "deer", "dingo", "dolphin",
        "eagle", "eel", "elk", "falcon", "ferret", "finch", "fox", "gecko", "goat", "goose", "hare", "hawk", "heron", "hippo",
        "ibis", "jackal", "jaguar", "koala", "lemur", "lion", "llama", "lynx", "marten", "mole", "moose", "newt", "ocelot", "orca",
        "otter", "owl", "panda", "puffin", "quail", "rabbit", "raven", "seal", "shark", "sloth", "stoat", "swan", "tapir", "tiger",
        "toad", "trout", "viper", "walrus", "weasel", "whale", "wolf", "yak",
    ];

    public static int Vocabulary => Verbs.Length * Animals.Length;

    /// <summary>The first name of the agent's sequence that <paramref name="taken"/> does not claim.</summary>
    public static string Next(string agentId, Func<string, bool> taken)
    {
        for (var k = 0; ; k++)
        {
            var name = Candidate(agentId, k);
            if (!taken(name))
                return name;
        }
    }

    public static string Candidate(string agentId, int k)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{agentId}:{k}"), hash);
        var name = $"{Verbs[hash[0] % Verbs.Length]}-{Animals[hash[1] % Animals.Length]}";
        return k < 64 ? name : $"{name}-{(k / 64) + 1}";
    }
}
