using Mesh.Core.Configuration;

namespace Mesh.Cli;

/// <summary>mesh config check: load and validate, print a summary or every problem.</summary>
internal static class ConfigCheckCommand
{
    public static int Execute(Invocation invocation, TextWriter output, TextWriter error)
    {
        if (!ConfigFile.TryLoad(invocation, error, out var config))
            return ExitCodes.Usage;
        output.WriteLine($"{invocation.ConfigPath}: ok ({config.Summary})");
        return ExitCodes.Ok;
    }
}
