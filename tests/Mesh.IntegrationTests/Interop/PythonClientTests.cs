
namespace Mesh.IntegrationTests.Interop;

/// <summary>grpcio client (Debian python3-grpcio) → grpc-dotnet with the hub's transport settings, over TLS and mutual TLS.</summary>
public sealed class PythonClientTests
{
    private const string NonAsciiMessage = "échec: ünïcödé ✓ 100% (データ)";

    public static TheoryData<string> Modes => ["tls", "mtls"];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_EchoWithMetadata_Succeeds(string mode)
    {
        await using var fixture = await StartAsync(mode);

        var result = await fixture.RunAsync("unary");

        Assert.True(result.Ok, result.ToString());
        Assert.Equal("hello", result.GetString("payload"));
        Assert.Equal(Convert.ToBase64String(new byte[] { 0, 1, 0xFE, 0xFF }), result.GetString("metadata_value"));
        Assert.Equal(Convert.ToBase64String(new byte[] { 0, 1, 0xFE, 0xFF }), result.Json.GetProperty("trailers").GetProperty("x-echo-bin").GetString());
        Assert.Equal(mode == "mtls" ? "node-01" : string.Empty, result.GetString("peer"));
        fixture.Server.Logs.AssertNoErrors();
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ServerStreaming_FiveResponses(string mode)
    {
        await using var fixture = await StartAsync(mode);

        var result = await fixture.RunAsync("server_stream");

        Assert.True(result.Ok, result.ToString());
        Assert.Equal([0, 1, 2, 3, 4], result.Json.GetProperty("indexes").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ClientStreaming_TenMessages(string mode)
    {
        await using var fixture = await StartAsync(mode);

        var result = await fixture.RunAsync("client_stream");

        Assert.True(result.Ok, result.ToString());
        Assert.Equal(55, result.Json.GetProperty("total_bytes").GetInt64());
        Assert.Equal(10, result.Json.GetProperty("message_count").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Bidi_PingPong(string mode)
    {
        await using var fixture = await StartAsync(mode);

        var result = await fixture.RunAsync("bidi");

        Assert.True(result.Ok, result.ToString());
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], result.Json.GetProperty("payloads").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_ThreeMebibytesEachWay(string mode)
    {
        await using var fixture = await StartAsync(mode);

        var result = await fixture.RunAsync("large");

        Assert.True(result.Ok, result.ToString());
        Assert.Equal(3 * 1024 * 1024, result.Json.GetProperty("response_size").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_ErrorWithNonAsciiMessage_ArrivesIntact(string mode)
    {
        await using var fixture = await StartAsync(mode);

        var result = await fixture.RunAsync("error", "--message", NonAsciiMessage);

        Assert.False(result.Ok, result.ToString());
        Assert.Equal("FAILED_PRECONDITION", result.Code);
        Assert.Equal(NonAsciiMessage, result.Details);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_DeadlineExpires_DeadlineExceededAndHandlerCancelled(string mode)
    {
        await using var fixture = await StartAsync(mode);

        var result = await fixture.RunAsync("deadline");

        Assert.Equal("DEADLINE_EXCEEDED", result.Code);
        Assert.Equal("Unary", await fixture.Service.Cancelled.Task.WithTimeout());
        await fixture.Service.WaitIdleAsync(TestTimeout.Default);
        fixture.Server.Logs.AssertNoErrors();
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Bidi_ClientCancels_ServerObservesCancellation(string mode)
    {
        await using var fixture = await StartAsync(mode);

        var result = await fixture.RunAsync("cancel");

        Assert.Equal("CANCELLED", result.Code);
        Assert.Equal("first", result.GetString("first"));
        Assert.Equal("Bidi", await fixture.Service.Cancelled.Task.WithTimeout());
        await fixture.Service.WaitIdleAsync(TestTimeout.Default);
        fixture.Server.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task MutualTls_NoClientCertificate_Rejected()
    {
        await using var fixture = await StartAsync("mtls");

        var result = await fixture.RunAsync("unary", withClientCertificate: false);

        Assert.False(result.Ok, result.ToString());
        Assert.Equal("UNAVAILABLE", result.Code);
        Assert.Empty(fixture.Service.Events);
    }

    [Fact]
    public async Task MutualTls_ClientCertificateFromAnotherCa_RejectedAndLogged()
    {
        await using var fixture = await StartAsync("mtls");
        var pki = TestPki.Shared;

        var result = await Python.RunClientAsync(
            "--target", $"127.0.0.1:{fixture.Server.Port}", "--case", "unary",
            "--ca", pki.CaPem, "--cert", pki.OtherClientCertPem, "--key", pki.OtherClientKeyPem);

        Assert.False(result.Ok, result.ToString());
        Assert.Equal("UNAVAILABLE", result.Code);
        Assert.Empty(fixture.Service.Events);
        var rejection = Assert.Single(fixture.Server.Logs.Entries, e => e.EventName == "ClientCertificateRejected");
        Assert.Contains("not signed by this hub's CA", rejection.Message, StringComparison.Ordinal);
    }

    private static async Task<Fixture> StartAsync(string mode)
    {
        var server = await InteropServer.StartAsync(mode == "mtls" ? Security.MutualTls : Security.Tls);
        return new Fixture(server, server.Service, mode);
    }

    private sealed record Fixture(InteropServer Server, InteropService Service, string Mode) : IAsyncDisposable
    {
        public Task<PythonResult> RunAsync(string testCase, params string[] extra) => RunAsync(testCase, Mode == "mtls", extra);

        public Task<PythonResult> RunAsync(string testCase, bool withClientCertificate, params string[] extra)
        {
            var pki = TestPki.Shared;
            var args = new List<string> { "--target", $"127.0.0.1:{Server.Port}", "--case", testCase, "--ca", pki.CaPem };
            if (withClientCertificate)
            {
                args.AddRange(["--cert", pki.ClientCertPem, "--key", pki.ClientKeyPem]);
            }

            args.AddRange(extra);
            return Python.RunClientAsync([.. args]);
        }

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
