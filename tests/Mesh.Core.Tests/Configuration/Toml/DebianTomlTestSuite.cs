namespace Mesh.Core.Tests.Configuration.Toml;

/// <summary>
/// The toml-test cases that Debian's golang-github-burntsushi-toml-dev installs (100 valid, 234 invalid, from the
/// TOML 1.0 era). ./test.sh installs the package; the tests fail, not skip, when it is missing.
/// </summary>
internal static class DebianTomlTestSuite
{
    public const string Directory = "/usr/share/gocode/src/github.com/BurntSushi/toml/internal/toml-test/tests";

    public const string Missing = "<toml-test suite not installed>";

    public static string MissingMessage =>
        $"The toml-test cases were not found in {Directory}. Install them with " +
        "'apt-get install golang-github-burntsushi-toml-dev' (./test.sh does this).";

    /// <summary>
    /// Documents the 1.0-era suite calls invalid that TOML 1.1, the version Mesh reads (Tomlyn implements only 1.1),
    /// made valid. Each must be accepted.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ValidSinceToml11 { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["invalid/datetime/no-secs"] = "TOML 1.1 makes the seconds of a time optional (17:45 means 17:45:00)",
        ["invalid/inline-table/linebreak-1"] = "TOML 1.1 allows newlines inside inline tables",
        ["invalid/inline-table/linebreak-2"] = "TOML 1.1 allows newlines inside inline tables",
        ["invalid/inline-table/linebreak-3"] = "TOML 1.1 allows newlines inside inline tables",
        ["invalid/inline-table/linebreak-4"] = "TOML 1.1 allows newlines inside inline tables",
        ["invalid/inline-table/trailing-comma"] = "TOML 1.1 allows a trailing comma after the last key/value of an inline table",
        ["invalid/string/basic-byte-escapes"] = "TOML 1.1 adds the \\xHH escape to basic strings",
    };

    public static bool IsInstalled => System.IO.Directory.Exists(Directory);

    /// <summary>Case names (path without extension, e.g. <c>valid/string/escapes</c>) under <c>valid</c> or <c>invalid</c>.</summary>
    public static IReadOnlyList<string> Cases(string kind)
    {
        if (!IsInstalled)
            throw new InvalidOperationException(MissingMessage);
        return System.IO.Directory.EnumerateFiles(Path.Combine(Directory, kind), "*.toml", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Directory, file)[..^".toml".Length].Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Theory rows; a single sentinel row when the suite is missing, so the run fails instead of finding no test.</summary>
    public static TheoryData<string> TheoryCases(string kind, Func<string, bool> include)
    {
        var data = new TheoryData<string>();
        if (!IsInstalled)
        {
            data.Add(Missing);
            return data;
        }

        foreach (var name in Cases(kind).Where(include))
            data.Add(name);
        return data;
    }

    public static string FilePath(string caseName, string extension) =>
        Path.Combine(Directory, caseName.Replace('/', Path.DirectorySeparatorChar) + extension);
}
