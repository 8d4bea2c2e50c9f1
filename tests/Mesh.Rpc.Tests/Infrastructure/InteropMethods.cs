using Mesh.Rpc.Tests.Interop;

namespace Mesh.Rpc.Tests.Infrastructure;

internal static class InteropMethods
{
    public const string Service = "mesh.rpc.interop.InteropTest";

    public static readonly Method<EchoRequest, EchoResponse> Unary = new(MethodType.Unary, Service, "Unary", EchoRequest.Parser, EchoResponse.Parser);
    public static readonly Method<EchoRequest, EchoResponse> ServerStream = new(MethodType.ServerStreaming, Service, "ServerStream", EchoRequest.Parser, EchoResponse.Parser);
    public static readonly Method<EchoRequest, EchoResponse> ClientStream = new(MethodType.ClientStreaming, Service, "ClientStream", EchoRequest.Parser, EchoResponse.Parser);
    public static readonly Method<EchoRequest, EchoResponse> Bidi = new(MethodType.DuplexStreaming, Service, "Bidi", EchoRequest.Parser, EchoResponse.Parser);
}
