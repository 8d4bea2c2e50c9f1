namespace Mesh.Core.Tests;

/// <summary>Finds the repository root (the folder holding Mesh.sln) from the test's output folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ConfigSamples => Path.Combine(Root, "config-samples");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException($"Mesh.sln not found above {AppContext.BaseDirectory}");
    }
}
