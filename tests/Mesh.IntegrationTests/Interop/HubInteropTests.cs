using Grpc.Core;
using Mesh.Core.Protocol;
using Mesh.Hub.Tests;
using Mesh.Hub.Tests.Mailbox.Support;

namespace Mesh.IntegrationTests.Interop;

/// <summary>
/// Debian's grpcio against the real hub process (TLS and mTLS): reflection v1 and v1alpha list the Mesh services,
/// a gzip-compressed call is served, health answers, limits and refused certificates leave the hub serving.
/// </summary>
public sealed class HubInteropTests
{
    public static TheoryData<string> Modes => ["tls", "mtls"];

    [Theory]
    [InlineData("v1")]
    [InlineData("v1alpha")]
    public async Task Reflection_ListsMeshServicesAndDescribesMailbox(string version)
    {
        await using var hub = await MailboxTestHub.StartAsync();

        var result = await RunAsync(hub, "reflection", "--service", "mesh.v1.Mailbox", "--version", version, "--token", hub.RootToken());

        Assert.True(result.Ok, result.ToString());
        var services = result.Json.GetProperty("services").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(
            ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "mesh.v1.Join", "mesh.v1.Mailbox", "mesh.v1.NodeSession"],
            services.Order(StringComparer.Ordinal));
        var methods = result.Json.GetProperty("methods").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("Send", methods);
        Assert.Contains("Watch", methods);
        Assert.Contains("mesh/v1/mailbox.proto", result.Json.GetProperty("files").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal((int)StatusCode.NotFound, result.Json.GetProperty("missing_code").GetInt32());
    }

    [Fact]
    public async Task Reflection_WithoutToken_Unauthenticated()
    {
        await using var hub = await MailboxTestHub.StartAsync();

        var result = await RunAsync(hub, "reflection", "--service", "mesh.v1.Mailbox");

        Assert.Equal("UNAUTHENTICATED", result.Code);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Send_GzipCompressed_Served(string mode)
    {
        await using var hub = await MailboxTestHub.StartAsync(mode: mode);
        await hub.CreateActorAsync("bob");

        var result = await RunAsync(hub, "mailbox_send", "--to", "bob", "--gzip", "--size", "200000", "--token", hub.RootToken());

        Assert.True(result.Ok, result.ToString());
        using var channel = hub.Channel();
        var inbox = await channel.Mailbox().InboxAsync(new InboxRequest { ActorId = "bob" }, MailboxTestHub.Bearer(hub.RootToken())).ResponseAsync;
        Assert.Equal(200_000, Assert.Single(inbox.Messages).Payload.Length);
    }

    [Fact]
    public async Task Send_EightMebibytes_ResourceExhausted_HubKeepsServing()
    {
        await using var hub = await MailboxTestHub.StartAsync();
        await hub.CreateActorAsync("bob");

        var big = await RunAsync(hub, "mailbox_send", "--to", "bob", "--size", (8 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), "--token", hub.RootToken());
        var small = await RunAsync(hub, "mailbox_send", "--to", "bob", "--message", "after", "--token", hub.RootToken());

        Assert.Equal("RESOURCE_EXHAUSTED", big.Code);
        Assert.True(small.Ok, small.ToString());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task HealthCheck_Serving(string mode)
    {
        await using var hub = await MailboxTestHub.StartAsync(mode: mode);

        var result = await RunAsync(hub, "health_check");

        Assert.True(result.Ok, result.ToString());
        Assert.Equal("SERVING", result.GetString("status"));
    }

    [Fact]
    public async Task Mtls_ClientCertificateFromAnotherCa_Unavailable_HubKeepsServing()
    {
        await using var hub = await MailboxTestHub.StartAsync(mode: "mtls");
        await hub.CreateActorAsync("bob");
        var pki = TestPki.Shared;

        var refused = await RunAsync(hub, "mailbox_send", "--to", "bob", "--token", hub.RootToken(), "--cert", pki.OtherClientCertPem, "--key", pki.OtherClientKeyPem);
        var accepted = await RunAsync(hub, "mailbox_send", "--to", "bob", "--token", hub.RootToken());

        Assert.Equal("UNAVAILABLE", refused.Code);
        Assert.True(accepted.Ok, accepted.ToString());
    }

    private static Task<PythonResult> RunAsync(MailboxTestHub hub, string testCase, params string[] extra) =>
        Python.RunClientAsync(["--target", $"127.0.0.1:{hub.GrpcUrl.Port}", "--case", testCase, "--ca", hub.CaPath, .. extra]);
}
