using Mesh.Core.Protocol;
using Mesh.Hub.InternalApi;
using Mesh.Rpc;

namespace Mesh.Hub.Join;

/// <summary>mesh.v1.Join on the internal listener. Enroll is anonymous (the token is the credential).</summary>
internal sealed class JoinRpcService : IInternalRpcService
{
    public JoinRpcService(EnrollmentService enrollment, HubIdentity identity)
    {
        var discovery = new DiscoverResponse { CaBundlePem = identity.Authority.Certificate.ExportCertificatePem(), ClusterId = identity.ClusterId };
        Definition = new RpcServiceBuilder(JoinMethods.ServiceName)
            .Unary(JoinMethods.Discover, (_, _) => ValueTask.FromResult(discovery))
            .Unary(JoinMethods.Enroll, async (request, context) =>
                new EnrollResponse { Credentials = await enrollment.EnrollAsync(request, SourceOf(context), context.CancellationToken) })
            .Unary(JoinMethods.Renew, async (request, context) =>
                new RenewResponse { Credentials = await enrollment.RenewAsync(context.GetCaller(), request, SourceOf(context), context.CancellationToken) })
            .Unary(JoinMethods.Whoami, (_, context) =>
                new ValueTask<WhoamiResponse>(enrollment.WhoamiAsync(context.GetCaller(), context.CancellationToken)))
            .Build();
    }

    public RpcServiceDefinition Definition { get; }

    public IReadOnlyCollection<string> AnonymousMethods { get; } = [JoinMethods.Discover.FullName, JoinMethods.Enroll.FullName];

    internal static string SourceOf(RpcCallContext context) => context.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
