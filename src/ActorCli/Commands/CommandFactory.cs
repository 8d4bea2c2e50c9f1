using System.CommandLine;

namespace Mesh.ActorCli.Commands;

/// <summary>Wraps a command body with context creation and error handling.</summary>
internal delegate Func<ParseResult, CancellationToken, Task<int>> RunFactory(Func<ParseResult, CliContext, CancellationToken, Task<int>> body);

internal static class Options
{
    public static Option<string?> RunId() => new("--run-id") { Description = "Run id (default $MESH_RUN_ID)." };

    /// <summary>Exactly one of the given options, or a usage error naming them.</summary>
    public static void RequireOne(ParseResult result, params Option[] options)
    {
        var given = options.Where(o => result.GetResult(o) is { Implicit: false }).ToList();
        var names = string.Join(" | ", options.Select(o => o.Name));
        if (given.Count == 0)
            throw new UsageException($"give one of {names}.");
        if (given.Count > 1)
            throw new UsageException($"{string.Join(" and ", given.Select(o => o.Name))} do not go together; give one of {names}.");
    }

    public static string ReadFile(string path, string option)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} {path}: {ex.Message}");
        }
    }
}
