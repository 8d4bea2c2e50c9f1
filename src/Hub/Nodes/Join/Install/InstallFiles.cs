namespace Mesh.Hub.Nodes.Join.Install;

/// <summary>The install script and the systemd files it installs, embedded in the hub (deploy/systemd is their source).</summary>
internal static class InstallFiles
{
    public const string ScriptUrlLine = "url='@MESH_URL@'";

    public static string Script { get; } = Read("install.sh");

    public static string NodeUnit { get; } = Read("mesh-node.service");

    public static string SysUsers { get; } = Read("mesh.sysusers.conf");

    /// <summary>The script with the hub's web address written in (the caller passes a checked http(s)://host[:port]).</summary>
    public static string ScriptFor(string webBase)
    {
        var index = Script.IndexOf(ScriptUrlLine, StringComparison.Ordinal);
        return Script[..index] + "url=" + ShellQuote.Quote(webBase) + Script[(index + ScriptUrlLine.Length)..];
    }

    private static string Read(string name)
    {
        using var stream = typeof(InstallFiles).Assembly.GetManifestResourceStream("Mesh.Hub.Join." + name)
            ?? throw new InvalidOperationException($"embedded resource Mesh.Hub.Join.{name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
