namespace Mesh.Node.Hosting;

/// <summary>The lines a node prints for operators and scripts ("mesh node ready: …"), on the process's standard output.</summary>
public sealed class NodeAnnouncements(TextWriter output)
{
    public void Say(string line) => output.WriteLine(line);
}
