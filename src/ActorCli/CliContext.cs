using Mesh.ActorCli.Connection;
using Grpc.Core;

namespace Mesh.ActorCli;

/// <summary>One invocation: the parsed global values, output streams, the environment and the client.</summary>
internal sealed class CliContext(GlobalValues values, TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?> environment)
{
    private EndpointSettings? _endpoint;

    public GlobalValues Values { get; } = values;

    public TextWriter Out { get; } = output;

    public TextWriter Err { get; } = error;

    public bool Json => Values.Json;

    /// <summary>--actor-id, else $MESH_ACTOR_ID; empty means "the token's actor".</summary>
    public string ActorId => Values.ActorId ?? Env("MESH_ACTOR_ID") ?? string.Empty;

    public string RunIdOr(string? flag) => flag ?? Env("MESH_RUN_ID") ?? string.Empty;

    public string TeamIdOr(string? flag) => flag ?? Env("MESH_TEAM_ID") ?? string.Empty;

    public EndpointSettings Endpoint => _endpoint ??= EndpointSettings.Resolve(Values, environment);

    public MailboxClient CreateClient() => new(Endpoint, TimeSpan.FromSeconds(Values.TimeoutSeconds));

    public string? Env(string name) => environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>Writes "error: …" for a failed call and returns its exit code (3 for transport/auth, else 1).</summary>
    public int Report(RpcException ex, string? subject = null)
    {
        Err.WriteLine("error: " + (subject is null ? string.Empty : subject + ": ") + Describe(ex));
        return ExitCodeOf(ex);
    }

    public static int ExitCodeOf(RpcException ex) => ex.StatusCode is StatusCode.Unavailable or StatusCode.Unauthenticated or StatusCode.DeadlineExceeded or StatusCode.Unimplemented || IsTransportFailure(ex)
        ? ExitCodes.Unreachable
        : ExitCodes.Failed;

    /// <summary>The call never reached a gRPC server: Grpc.Net.Client reports a refused TLS handshake as INTERNAL with the HTTP error attached.</summary>
    private static bool IsTransportFailure(RpcException ex) => ex.Status.DebugException is HttpRequestException;

    public static string CodeName(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.Internal => "INTERNAL",
        _ => code.ToString().ToUpperInvariant(),
    };

    public string Describe(RpcException ex) => ex.StatusCode switch
    {
        StatusCode.Unauthenticated => $"{Endpoint.Target} rejected the token ({ex.Status.Detail}): it is missing, expired or signed with another secret. Get a fresh MESH_ACTOR_TOKEN, or use --config with the hub configuration. (UNAUTHENTICATED)",
        _ when IsTransportFailure(ex) && Endpoint.HubCheck?.LastFailure is { } refused =>
            $"{Endpoint.Target} is not the hub, so nothing was sent: {refused}. Check MESH_GRPC_TARGET, and that MESH_CA_FILE is the hub's ca.crt. ({CodeName(ex.StatusCode)})",
        _ when ex.StatusCode == StatusCode.Unavailable || IsTransportFailure(ex) =>
            $"cannot reach {Endpoint.Target}: {ex.Status.Detail}. Is the hub (or node) running, and is MESH_GRPC_TARGET right? ({CodeName(ex.StatusCode)})",
        StatusCode.DeadlineExceeded => $"{Endpoint.Target} did not answer within {Values.TimeoutSeconds} s; raise --timeout-seconds or check the endpoint. (DEADLINE_EXCEEDED)",
        StatusCode.Unimplemented => $"{Endpoint.Target} does not serve the mailbox API; point MESH_GRPC_TARGET at the hub's or a node's internal gRPC address. (UNIMPLEMENTED)",
        _ => $"{ex.Status.Detail} ({CodeName(ex.StatusCode)})",
    };
}
