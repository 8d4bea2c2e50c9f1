namespace Mesh.Core.Readiness;

/// <summary>
/// The line <c>mesh run</c> prints on stdout once the hub listens:
/// <c>mesh hub ready: web http://127.0.0.1:8080, internal gRPC https://127.0.0.1:50051</c> (the gRPC part only when the
/// internal API is enabled). Scripts, tests and benchmarks wait for it and take the real addresses (port 0) from it.
/// </summary>
public sealed record HubReadyLine(Uri Web, Uri? InternalGrpc)
{
    public const string Prefix = "mesh hub ready: ";
    private const string WebLabel = "web ";
    private const string GrpcLabel = ", internal gRPC ";

    public override string ToString() =>
        Prefix + WebLabel + Web.GetLeftPart(UriPartial.Authority) + (InternalGrpc is { } grpc ? GrpcLabel + grpc.GetLeftPart(UriPartial.Authority) : string.Empty);

    /// <summary>Parses a printed line; throws <see cref="FormatException"/> naming the line when it is not one.</summary>
    public static HubReadyLine Parse(string line)
    {
        if (!line.StartsWith(Prefix + WebLabel, StringComparison.Ordinal))
            throw new FormatException($"not a hub ready line: '{line}'");
        var rest = line[(Prefix.Length + WebLabel.Length)..].Trim();
        var comma = rest.IndexOf(GrpcLabel, StringComparison.Ordinal);
        var web = comma < 0 ? rest : rest[..comma];
        var grpc = comma < 0 ? null : rest[(comma + GrpcLabel.Length)..].Trim();
        if (!Uri.TryCreate(web, UriKind.Absolute, out var webUri) || (grpc is not null && !Uri.TryCreate(grpc, UriKind.Absolute, out _)))
            throw new FormatException($"hub ready line has a malformed address: '{line}'");
        return new HubReadyLine(webUri, grpc is null ? null : new Uri(grpc));
    }
}
