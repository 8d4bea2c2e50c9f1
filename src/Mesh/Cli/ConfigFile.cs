using System.Diagnostics.CodeAnalysis;
using Mesh.Core.Configuration;

namespace Mesh.Cli;

/// <summary>Loads the configuration an invocation names and prints its problems the way operators read them.</summary>
internal static class ConfigFile
{
    public static bool TryLoad(Invocation invocation, TextWriter error, [NotNullWhen(true)] out MeshConfig? config)
    {
        config = null;
        if (invocation.ConfigPath is null)
        {
            error.WriteLine("error: no configuration file. Pass --config PATH or set MESH_CONFIG (samples: config-samples/).");
            return false;
        }

        try
        {
            config = ConfigLoader.Load(invocation.ConfigPath, forceRole: invocation.NodeMode ? MeshRole.Node : null);
            return true;
        }
        catch (ConfigException ex)
        {
            foreach (var problem in ex.Problems)
                error.WriteLine(problem.ToString());
            error.WriteLine($"{ex.Problems.Count} problem(s) in {invocation.ConfigPath}; nothing was started.");
            return false;
        }
    }
}
