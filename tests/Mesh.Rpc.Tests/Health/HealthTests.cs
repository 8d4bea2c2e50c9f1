using System.Net;
using Grpc.Health.V1;
using Mesh.Rpc.Health;
using Mesh.Rpc.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Mesh.Rpc.Tests.Health;

public sealed class HealthTests
{
    [Fact]
    public async Task GrpcioCheck_OverallHealth_Serving()
    {
        await using var server = await StartAsync(Security.Tls);

        var result = await Python.RunClientAsync("--target", $"127.0.0.1:{server.Port}", "--case", "health_check", "--ca", TestPki.Shared.CaPem);

        Assert.True(result.Ok, result.ToString());
        Assert.Equal("SERVING", result.GetString("status"));
    }

    [Fact]
    public async Task GrpcioCheck_UnknownService_NotFound()
    {
        await using var server = await StartAsync(Security.Tls);

        var result = await Python.RunClientAsync("--target", $"127.0.0.1:{server.Port}", "--case", "health_check", "--service", "no.such.Service", "--ca", TestPki.Shared.CaPem);

        Assert.Equal("NOT_FOUND", result.Code);
    }

    [Fact]
    public async Task GrpcioWatch_ServiceGoesNotServing_StreamsTheChange()
    {
        await using var server = await StartAsync(Security.Tls);
        var health = server.Services.GetRequiredService<RpcHealthService>();
        health.SetStatus("mesh.v1.Mailbox", ServingStatus.Serving);
        await using var watcher = Python.Start(
            "interop_client.py", "--target", $"127.0.0.1:{server.Port}", "--case", "health_watch", "--service", "mesh.v1.Mailbox", "--updates", "2", "--ca", TestPki.Shared.CaPem);

        Assert.Contains("SERVING", await watcher.ReadLineAsync(TestTimeout.Default), StringComparison.Ordinal);
        health.SetStatus("mesh.v1.Mailbox", ServingStatus.NotServing);
        var result = await watcher.ReadResultAsync(TestTimeout.Default);

        Assert.True(result.Ok, result.ToString());
        Assert.Equal(["SERVING", "NOT_SERVING"], result.Json.GetProperty("statuses").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Watch_UnknownServiceThenRegistered_ServiceUnknownThenServing()
    {
        await using var server = await StartAsync(Security.Plaintext);
        var health = server.Services.GetRequiredService<RpcHealthService>();
        using var channel = server.CreateChannel();
        using var call = channel.ServerStreaming(RpcHealthService.WatchMethod, new HealthCheckRequest { Service = "later" });

        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.ServiceUnknown, call.ResponseStream.Current.Status);
        health.SetStatus("later", ServingStatus.Serving);
        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task Shutdown_WatchersSeeNotServingAndStreamEnds_CheckAnswersNotServing()
    {
        var server = await StartAsync(Security.Plaintext);
        var health = server.Services.GetRequiredService<RpcHealthService>();
        using var channel = server.CreateChannel();
        using var call = channel.ServerStreaming(RpcHealthService.WatchMethod, new HealthCheckRequest());
        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);

        var stopping = server.DisposeAsync().AsTask();

        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
        Assert.False(await call.ResponseStream.MoveNextAsync().WithTimeout());
        await stopping.WithTimeout();
        Assert.Equal(ServingStatus.NotServing, health.GetStatus(string.Empty));
        health.SetStatus(string.Empty, ServingStatus.Serving);
        Assert.Equal(ServingStatus.NotServing, health.GetStatus(string.Empty));
    }

    [Fact]
    public async Task List_ReturnsEveryStatus()
    {
        await using var server = await StartAsync(Security.Plaintext);
        server.Services.GetRequiredService<RpcHealthService>().SetStatus("a.B", ServingStatus.NotServing);
        using var channel = server.CreateChannel();

        var list = await channel.UnaryAsync(RpcHealthService.ListMethod, new HealthListRequest()).WithTimeout();

        Assert.Equal(ServingStatus.Serving, list.Statuses[string.Empty].Status);
        Assert.Equal(ServingStatus.NotServing, list.Statuses["a.B"].Status);
    }

    [Fact]
    public async Task HealthOnlyPort_PlaintextGrpcioCheck_ServingWhileOtherServicesUnimplemented()
    {
        var healthPort = FreePort();
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(
            app =>
            {
                app.MapRpcHealth();
                app.MapRpcService(service.Build());
            },
            Security.MutualTls,
            services: s => s.AddRpcHealth(),
            kestrel: k => k.ListenRpcHealthOnly(new IPEndPoint(IPAddress.Loopback, healthPort)));

        var check = await Python.RunClientAsync("--target", $"127.0.0.1:{healthPort}", "--case", "health_check", "--plaintext");
        var other = await Python.RunClientAsync("--target", $"127.0.0.1:{healthPort}", "--case", "unary", "--plaintext");

        Assert.True(check.Ok, check.ToString());
        Assert.Equal("SERVING", check.GetString("status"));
        Assert.Equal("UNIMPLEMENTED", other.Code);
        Assert.Empty(service.Events);

        // The mTLS port still serves the other service.
        using var channel = server.CreateChannel();
        var response = await channel.UnaryAsync(InteropMethods.Unary, new Interop.EchoRequest()).WithTimeout();
        Assert.Equal("node-01", response.PeerIdentity);
    }

    private static Task<RpcTestServer> StartAsync(Security security) =>
        RpcTestServer.StartAsync(app => app.MapRpcHealth(), security, services: s => s.AddRpcHealth());

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
