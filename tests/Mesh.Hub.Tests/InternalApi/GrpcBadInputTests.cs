using System.Net;
using System.Net.Http.Json;
using Grpc.Core;
using Mesh.Core.Auth;
using Mesh.Core.Protocol;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.InternalApi;

/// <summary>
/// Malformed calls to a real hub (in-process Kestrel, TLS, grpc-dotnet): each gets its status, nothing crashes, and
/// the hub keeps serving a well-formed call right after.
/// </summary>
public sealed class GrpcBadInputTests : IAsyncLifetime
{
    private const string SendPath = "/mesh.v1.Mailbox/Send";
    private TestHub _hub = null!;
    private RawGrpcClient _raw = null!;

    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync(mode: "tls");
        var created = await _hub.Admin.PostAsJsonAsync("/api/admin/actors", new { id = "bob", name = "bob" });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        _raw = new RawGrpcClient(_hub.InternalUrl, _hub.Identity.Authority.Certificate);
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _hub.DisposeAsync();
        _hub.Directory.Dispose();
    }

    [Fact]
    public async Task GarbageProtobuf_UnknownWithoutInternals_HubKeepsServing()
    {
        // Field 1, length-delimited, with a length varint that never ends. grpc-dotnet answers a request message it
        // cannot parse with UNKNOWN (grpc-go and C-core say INTERNAL); the parser's message does not leak.
        var response = await _raw.SendAsync(SendPath, Body(0, 3, [0x0A, 0xFF, 0xFF]), headers: [Authorization()]);

        Assert.Equal(StatusCode.Unknown, response.GrpcStatus);
        Assert.Equal("Exception was thrown by handler.", response.GrpcMessage);
        await AssertServingAsync();
    }

    [Fact]
    public async Task DeclaredLengthBeyondTheBody_Internal_HubKeepsServing()
    {
        var response = await _raw.SendAsync(SendPath, Body(0, 100, new byte[10]), headers: [Authorization()]);

        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.Contains("Incomplete message", response.GrpcMessage, StringComparison.Ordinal);
        await AssertServingAsync();
    }

    [Fact]
    public async Task DeclaredLengthBeyondTheLimit_ResourceExhausted_HubKeepsServing()
    {
        var response = await _raw.SendAsync(SendPath, Body(0, 5 * 1024 * 1024, new byte[16]), headers: [Authorization()]);

        Assert.Equal(StatusCode.ResourceExhausted, response.GrpcStatus);
        await AssertServingAsync();
    }

    [Fact]
    public async Task UnknownCompression_Unimplemented_HubKeepsServing()
    {
        var response = await _raw.SendAsync(SendPath, Body(1, 4, [1, 2, 3, 4]), headers: [Authorization(), new("grpc-encoding", "br")]);

        Assert.Equal(StatusCode.Unimplemented, response.GrpcStatus);
        Assert.Contains("br", response.GrpcMessage, StringComparison.Ordinal);
        await AssertServingAsync();
    }

    [Fact]
    public async Task GzipCompressedRequest_Served()
    {
        using var channel = _hub.Channel();
        var headers = new Metadata { { "authorization", "Bearer " + RootToken() }, { "grpc-internal-encoding-request", "gzip" } };

        var sent = await channel.Mailbox().SendAsync(new SendRequest { ToActorId = "bob", Payload = new string('z', 50_000) }, GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(20), headers)).ResponseAsync;

        Assert.True(sent.MessageId > 0);
    }

    [Fact]
    public async Task EightMebibyteMessage_ResourceExhausted_HubKeepsServing()
    {
        using var channel = _hub.Channel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.Mailbox().SendAsync(
            new SendRequest { ToActorId = "bob", Payload = new string('x', 8 * 1024 * 1024) }, Root()).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        await AssertServingAsync();
    }

    [Theory]
    [InlineData("none")]
    [InlineData("forged")]
    [InlineData("expired")]
    [InlineData("alg-none")]
    public async Task BadToken_Unauthenticated_HubKeepsServing(string kind)
    {
        using var channel = _hub.Channel();
        var token = kind switch
        {
            "none" => null,
            "forged" => Forge(RootToken()),
            "expired" => Issuer(new ManualTimeProvider(DateTimeOffset.UtcNow.AddHours(-2))).MintWithRootKey(_hub.Identity.Keys, CallerScope.Root, "root", TimeSpan.FromMinutes(5)),
            _ => AlgNone(RootToken()),
        };
        var headers = token is null ? new Metadata() : new Metadata { { "authorization", "Bearer " + token } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.Mailbox().SendAsync(
            new SendRequest { ToActorId = "bob", Payload = "x" }, GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(20), headers)).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Equal("invalid or missing bearer token", ex.Status.Detail);
        await AssertServingAsync();
    }

    [Fact]
    public async Task WrongContentType_OnAGrpcMethod_Http415FromGrpcDotnet_ElsewhereNotFound()
    {
        var json = await _raw.SendAsync(SendPath, new StringContent("{}"), contentType: "application/json", headers: [Authorization()]);
        var elsewhere = await _raw.SendAsync("/api/admin/agent-nodes", new StringContent("{}"), contentType: "application/json");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.HttpStatus);
        Assert.Equal(StatusCode.Internal, json.GrpcStatus);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.HttpStatus);
        await AssertServingAsync();
    }

    [Fact]
    public async Task GrpcOnTheWebListener_NotFound()
    {
        using var web = new RawGrpcClient(_hub.WebUrl);

        var response = await web.SendAsync(SendPath, Body(0, 0, []), version: HttpVersion.Version11, headers: [Authorization()]);

        Assert.Equal(HttpStatusCode.NotFound, response.HttpStatus);
    }

    private async Task AssertServingAsync()
    {
        using var channel = _hub.Channel();
        var sent = await channel.Mailbox().SendAsync(new SendRequest { ToActorId = "bob", Payload = "still here" }, Root()).ResponseAsync;
        Assert.True(sent.MessageId > 0);
    }

    private static ByteArrayContent Body(byte flag, uint declaredLength, byte[] payload) => new(RawGrpcClient.Frame(flag, declaredLength, payload));

    private KeyValuePair<string, string> Authorization() => new("authorization", "Bearer " + RootToken());

    private CallOptions Root() => GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(20), new Metadata { { "authorization", "Bearer " + RootToken() } });

    private string RootToken() => Issuer(TimeProvider.System).MintWithRootKey(_hub.Identity.Keys, CallerScope.Root, "root", TimeSpan.FromMinutes(5));

    private CallTokenIssuer Issuer(TimeProvider time) => new(_hub.Config.InternalGrpc.Auth.Issuer, _hub.Config.InternalGrpc.Auth.Audience, time);

    // The same claims with the last signature character changed: the signature no longer verifies.
    private static string Forge(string token) => token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];

    // The same claims under {"alg":"none"} and no signature.
    private static string AlgNone(string token)
    {
        var header = Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8.ToArray());
        return header + "." + token.Split('.')[1] + ".";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
