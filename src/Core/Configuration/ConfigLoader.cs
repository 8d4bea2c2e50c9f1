using Mesh.Core.Configuration.Toml;

namespace Mesh.Core.Configuration;

/// <summary>Reads, overrides and validates a Mesh configuration file. Every problem is reported at once.</summary>
public static class ConfigLoader
{
    /// <summary>Loads <paramref name="path"/>; throws <see cref="ConfigException"/> listing every problem.</summary>
    /// <param name="environment">Variables to apply as overrides (the process environment when null).</param>
    /// <param name="forceRole">A role that wins over the file (the --node-mode flag).</param>
    public static MeshConfig Load(string path, IReadOnlyDictionary<string, string?>? environment = null, MeshRole? forceRole = null)
    {
        var fullPath = Path.GetFullPath(path);
        var problems = new List<ConfigProblem>();
        var raw = new RawConfig(ConfigLocation.InFile(path, 1, 1));

        var bytes = ReadFile(path, fullPath, problems);
        var parsed = false;
        if (bytes is not null)
        {
            if (!StrictUtf8.TryDecode(bytes, out var text, out var badByteOffset))
            {
                problems.Add(new ConfigProblem(new ConfigLocation(path, 0, 0, false), null,
                    $"configuration file is not valid UTF-8 (bad byte at offset {badByteOffset}). Save it as UTF-8."));
            }
            else if (TomlDocumentParser.TryParse(text, out var root, out var error))
            {
                parsed = true;
                new TomlConfigReader(path, raw, problems).Read(root);
            }
            else
            {
                problems.Add(new ConfigProblem(ConfigLocation.InFile(path, error.Position.Line, error.Position.Column), null, error.Message));
            }
        }

        environment ??= ProcessEnvironment();
        EnvironmentOverrides.Apply(environment, raw, problems);

        // Without a readable, well-formed file there is nothing meaningful to bind.
        if (!parsed)
            throw new ConfigException(problems);

        var config = new ConfigBinder(raw, problems, Path.GetDirectoryName(fullPath)!, fullPath, environment).Bind(forceRole);
        if (problems.Count > 0 || config is null)
            throw new ConfigException(problems);
        return config;
    }

    private static byte[]? ReadFile(string path, string fullPath, List<ConfigProblem> problems)
    {
        var location = new ConfigLocation(path, 0, 0, false);
        try
        {
            if (Directory.Exists(fullPath))
            {
                problems.Add(new ConfigProblem(location, null, "is a directory; pass the path of a .toml file with --config PATH."));
                return null;
            }

            return File.ReadAllBytes(fullPath);
        }
        catch (FileNotFoundException)
        {
            problems.Add(new ConfigProblem(location, null, "configuration file not found. Pass --config PATH or set MESH_CONFIG; samples are in config-samples/."));
        }
        catch (DirectoryNotFoundException)
        {
            problems.Add(new ConfigProblem(location, null, "configuration file not found (its folder does not exist). Pass --config PATH or set MESH_CONFIG."));
        }
        catch (UnauthorizedAccessException)
        {
            problems.Add(new ConfigProblem(location, null, "configuration file is not readable by this user. Check its permissions (e.g. chmod 640 and the owning group)."));
        }
        catch (IOException ex)
        {
            problems.Add(new ConfigProblem(location, null, $"configuration file cannot be read: {ex.Message}"));
        }

        return null;
    }

    private static Dictionary<string, string?> ProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = entry.Value as string;
        return result;
    }
}
