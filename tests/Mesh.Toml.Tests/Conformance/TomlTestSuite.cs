namespace Mesh.Toml.Tests.Conformance;

/// <summary>Finds the toml-test cases in <c>shared/toml-test</c> beside the repository.</summary>
internal static class TomlTestSuite
{
    public const string Missing = "<toml-test suite not found>";

    private static readonly Lazy<string?> Root = new(Locate);

    public static string? Directory => Root.Value;

    public static string MissingMessage =>
        $"The toml-test suite was not found: looked for 'shared/toml-test/files-toml-1.0.0' in every parent of '{AppContext.BaseDirectory}'. " +
        "Check out the shared folder beside the repository (../shared).";

    public static string RequireDirectory() => Directory ?? throw new InvalidOperationException(MissingMessage);

    /// <summary>Case names (path without extension, e.g. <c>valid/string/escapes</c>) listed for a TOML version.</summary>
    public static IReadOnlyList<string> Cases(string version, string kind)
    {
        var root = RequireDirectory();
        var list = Path.Combine(root, $"files-toml-{version}");
        return File.ReadAllLines(list)
            .Select(line => line.Trim())
            .Where(line => line.StartsWith(kind + "/", StringComparison.Ordinal) && line.EndsWith(".toml", StringComparison.Ordinal))
            .Select(line => line[..^".toml".Length])
            .ToList();
    }

    /// <summary>Theory rows; a single sentinel row when the suite is missing, so the run fails instead of finding no test.</summary>
    public static TheoryData<string> TheoryCases(string version, string kind)
    {
        var data = new TheoryData<string>();
        if (Directory is null)
        {
            data.Add(Missing);
            return data;
        }

        foreach (var name in Cases(version, kind))
        {
            data.Add(name);
        }

        return data;
    }

    public static string FilePath(string caseName, string extension) =>
        Path.Combine(RequireDirectory(), caseName.Replace('/', Path.DirectorySeparatorChar) + extension);

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "toml-test");
            if (File.Exists(Path.Combine(candidate, "files-toml-1.0.0")))
            {
                return candidate;
            }
        }

        return null;
    }
}
