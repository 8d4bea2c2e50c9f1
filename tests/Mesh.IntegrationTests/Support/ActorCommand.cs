using Mesh.ActorCli.Tests.Support;

namespace Mesh.IntegrationTests.Support;

/// <summary>
/// The real <c>actor</c> binary (<see cref="ActorProcess"/>) in root mode against a <see cref="HubUnderTest"/>:
/// <c>--config</c> mints a root token from the hub's shared secret, <c>--target</c> is its internal gRPC listener.
/// </summary>
internal static class ActorCommand
{
    /// <summary>Starts <c>actor --config … --target … args</c>; dispose kills it if it still runs.</summary>
    public static ActorProcess Start(HubUnderTest hub, params string[] args) =>
        ActorProcess.Start(RootArguments(hub, args), new Dictionary<string, string?>());

    /// <summary>Runs one command to completion: exit code, stdout, stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(HubUnderTest hub, params string[] args)
    {
        var run = await ActorProcess.RunAsync(RootArguments(hub, args), new Dictionary<string, string?>());
        return (run.ExitCode, run.Stdout, run.Stderr);
    }

    private static string[] RootArguments(HubUnderTest hub, string[] args) =>
        ["--config", Path.Combine(hub.Directory.Path, "hub.toml"), "--target", hub.GrpcUrl, .. args];
}
