using System.Net;
using System.Net.Http.Headers;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.InternalApi;

/// <summary>A gRPC call on the internal listener is executed right after the listener check, before the web UI's middleware.</summary>
public sealed class GrpcPipelineTests
{
    [Fact]
    public async Task GrpcCall_SkipsTheWebMiddleware_WebPagesStillGetIt()
    {
        await using var hub = await TestHub.StartAsync(mode: "tls");
        using var grpc = new HttpClient(GrpcTestClients.Handler(hub.Identity.Authority.Certificate));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(hub.InternalUrl, "/grpc.health.v1.Health/Check"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(RawGrpcClient.Frame(0, 0, [])),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        using var web = new HttpClient();

        using var call = await grpc.SendAsync(request);
        await call.Content.ReadAsByteArrayAsync();
        using var page = await web.GetAsync(new Uri(hub.WebUrl, "/login"));

        Assert.Equal("0", call.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.False(call.Headers.Contains("X-Frame-Options"), "the web UI's security headers middleware ran for a gRPC call");
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        hub.Directory.Dispose();
    }
}
