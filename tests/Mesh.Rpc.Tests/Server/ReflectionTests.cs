using Mesh.Rpc.Health;
using Mesh.Rpc.Reflection;
using Mesh.Rpc.Tests.Infrastructure;
using Mesh.Rpc.Tests.Interop;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Rpc.Tests.Server;

public sealed class ReflectionTests
{
    [Fact]
    public async Task GrpcioReflectionClient_ListsServicesAndDescribesMethods()
    {
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(
            app =>
            {
                app.MapRpcService(service.Build());
                app.MapRpcHealth();
                app.MapRpcReflection(InteropTestReflection.Descriptor, Grpc.Health.V1.HealthReflection.Descriptor);
            },
            Security.Tls,
            services: s => s.AddRpcHealth());

        var result = await Python.RunClientAsync(
            "--target", $"127.0.0.1:{server.Port}", "--case", "reflection", "--service", InteropMethods.Service, "--ca", TestPki.Shared.CaPem);

        Assert.True(result.Ok, result.ToString());
        Assert.Equal(
            [InteropMethods.Service, RpcHealthService.ServiceName, RpcReflectionService.ServiceName],
            result.Json.GetProperty("services").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["Unary", "ServerStream", "ClientStream", "Bidi"], result.Json.GetProperty("methods").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("interop_test.proto", result.Json.GetProperty("files").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal((int)StatusCode.NotFound, result.Json.GetProperty("missing_code").GetInt32());
    }
}
