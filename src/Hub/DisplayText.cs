namespace Mesh.Hub;

/// <summary>Caller-supplied text cut to a bounded length before it goes into logs, audit rows and error details.</summary>
internal static class DisplayText
{
    public static string Truncate(string value, int max = 64) => value.Length <= max ? value : value[..max] + "…";
}
