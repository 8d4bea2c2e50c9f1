using Mesh.Rpc;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// A gRPC service the hub serves on its internal listener. Register implementations as singletons
/// (<c>services.AddSingleton&lt;IInternalRpcService, MailboxRpcService&gt;()</c>); the host maps them all.
/// Every call is authenticated before the handler runs (see <see cref="HubCallAuthenticator"/>), except the
/// methods a service lists in <see cref="AnonymousMethods"/>; handlers read the caller with
/// <see cref="CallerContext.GetCaller"/>.
/// </summary>
public interface IInternalRpcService
{
    RpcServiceDefinition Definition { get; }

    /// <summary>Full method names ("/mesh.v1.Join/Enroll") callable without a token.</summary>
    IReadOnlyCollection<string> AnonymousMethods => [];
}
