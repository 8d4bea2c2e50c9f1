using Mesh.Rpc;

namespace Mesh.Core.Protocol;

/// <summary>The mesh.v1.Join methods, shared by the hub (server) and nodes (client).</summary>
public static class JoinMethods
{
    public const string ServiceName = "mesh.v1.Join";

    public static readonly Method<DiscoverRequest, DiscoverResponse> Discover =
        new(MethodType.Unary, ServiceName, "Discover", DiscoverRequest.Parser, DiscoverResponse.Parser);

    public static readonly Method<EnrollRequest, EnrollResponse> Enroll =
        new(MethodType.Unary, ServiceName, "Enroll", EnrollRequest.Parser, EnrollResponse.Parser);

    public static readonly Method<RenewRequest, RenewResponse> Renew =
        new(MethodType.Unary, ServiceName, "Renew", RenewRequest.Parser, RenewResponse.Parser);

    public static readonly Method<WhoamiRequest, WhoamiResponse> Whoami =
        new(MethodType.Unary, ServiceName, "Whoami", WhoamiRequest.Parser, WhoamiResponse.Parser);
}
