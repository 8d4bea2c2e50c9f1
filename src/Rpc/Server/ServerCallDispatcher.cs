using Mesh.Rpc.Internal;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Net.Http.Headers;

namespace Mesh.Rpc.Server;

/// <summary>Validates the HTTP/2 request, runs pre-handlers and the handler, and ends the call with one status.</summary>
internal static class ServerCallDispatcher
{
    public static Task HandleAsync(HttpContext httpContext, MethodBinding binding, ServiceRuntime runtime)
    {
        var request = httpContext.Request;
        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            RpcServerLog.UnsupportedProtocol(runtime.Logger, request.Protocol, request.Path);
            var (http, status) = ServerStatusMapper.UnsupportedProtocol(request.Protocol);
            httpContext.Response.Headers[HeaderNames.Upgrade] = "h2";
            return WriteHttpErrorAsync(httpContext, http, status);
        }

        if (!GrpcProtocol.IsProtoGrpcContentType(request.ContentType))
        {
            RpcServerLog.UnsupportedContentType(runtime.Logger, request.Path, request.ContentType);
            var (http, status) = ServerStatusMapper.UnsupportedContentType(request.ContentType);
            return WriteHttpErrorAsync(httpContext, http, status);
        }

        httpContext.Response.ContentType = GrpcProtocol.ContentType;
        if (!HasTeTrailers(request))
        {
            RpcServerLog.MissingTe(runtime.Logger, request.Path);
            WriteTrailersOnly(httpContext, ServerStatusMapper.MissingTe);
            return Task.CompletedTask;
        }

        DisableRequestLimits(httpContext);
        return RunCallAsync(httpContext, binding, runtime);
    }

    private static Task RunCallAsync(HttpContext httpContext, MethodBinding binding, ServiceRuntime runtime)
    {
        var call = new RpcCallContext(httpContext, binding.FullName, runtime.Options, runtime.Logger);
        if (httpContext.Request.Headers.ContainsKey(GrpcProtocol.TimeoutHeader))
        {
            return RunCallWithDeadlineAsync(call, binding, runtime);
        }

        // No deadline: run synchronously as far as the handler allows (a unary call usually completes inline).
        Task invoke;
        try
        {
            invoke = InvokeAsync(call, binding, runtime);
        }
        catch (Exception ex)
        {
            return FailAsync(call, ex).AsTask();
        }

        if (!invoke.IsCompletedSuccessfully)
        {
            return FinishAsync(call, invoke);
        }

        var complete = call.CompleteAsync(call.Status, null);
        return complete.IsCompletedSuccessfully ? Task.CompletedTask : complete.AsTask();
    }

    private static async Task FinishAsync(RpcCallContext call, Task invoke)
    {
        try
        {
            await invoke.ConfigureAwait(false);
            await call.CompleteAsync(call.Status, null).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await FailAsync(call, ex).ConfigureAwait(false);
        }
    }

    private static async Task RunCallWithDeadlineAsync(RpcCallContext call, MethodBinding binding, ServiceRuntime runtime)
    {
        try
        {
            if (!call.TryStartDeadline(out var timeoutError))
            {
                await call.CompleteAsync(timeoutError, null).ConfigureAwait(false);
                return;
            }

            await InvokeAsync(call, binding, runtime).ConfigureAwait(false);
            await call.CompleteAsync(call.Status, null).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await FailAsync(call, ex).ConfigureAwait(false);
        }
        finally
        {
            await call.DisposeDeadlineAsync().ConfigureAwait(false);
        }
    }

    private static Task InvokeAsync(RpcCallContext call, MethodBinding binding, ServiceRuntime runtime) =>
        runtime.Options.PreHandler is null && runtime.ServicePreHandler is null
            ? binding.InvokeAsync(call)
            : InvokeWithPreHandlersAsync(call, binding, runtime);

    private static async Task InvokeWithPreHandlersAsync(RpcCallContext call, MethodBinding binding, ServiceRuntime runtime)
    {
        if (runtime.Options.PreHandler is { } global)
        {
            await global(call).ConfigureAwait(false);
        }

        if (runtime.ServicePreHandler is { } perService)
        {
            await perService(call).ConfigureAwait(false);
        }

        await binding.InvokeAsync(call).ConfigureAwait(false);
    }

    private static async ValueTask FailAsync(RpcCallContext call, Exception exception)
    {
        var aborted = call.HttpContext.RequestAborted.IsCancellationRequested;
        if (call.DeadlineExceeded)
        {
            // The deadline already sent DEADLINE_EXCEEDED; whatever the handler threw after that is moot.
            return;
        }

        if (exception is OperationCanceledException || (aborted && exception is IOException or ConnectionAbortedException or RpcException))
        {
            // The caller went away (or the handler gave up on a cancelled token): nothing useful to log above Debug.
            RpcServerLog.CallCancelled(call.Logger, call.Method);
            await TryCompleteAsync(call, new Status(StatusCode.Cancelled, "Call cancelled."), null).ConfigureAwait(false);
            return;
        }

        if (exception is RpcException rpc)
        {
            if (rpc.InnerException is not null || rpc.StatusCode is StatusCode.ResourceExhausted or StatusCode.Internal)
            {
                RpcServerLog.BadRequestMessage(call.Logger, call.Method, rpc.StatusCode, rpc.Detail);
            }
            else
            {
                RpcServerLog.CallFailed(call.Logger, call.Method, rpc.StatusCode, rpc.Detail);
            }

            await TryCompleteAsync(call, rpc.Status, rpc.Trailers).ConfigureAwait(false);
            return;
        }

        RpcServerLog.HandlerFailed(call.Logger, call.Method, exception);
        var status = ServerStatusMapper.FromException(exception, call.DetailedErrors);
        await TryCompleteAsync(call, status, null).ConfigureAwait(false);
    }

    private static async ValueTask TryCompleteAsync(RpcCallContext call, Status status, Metadata? trailers)
    {
        try
        {
            await call.CompleteAsync(status, trailers).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or ObjectDisposedException)
        {
            // The response can no longer carry a status (connection gone or response already completed).
            RpcServerLog.CallCancelled(call.Logger, call.Method);
        }
    }

    private static bool HasTeTrailers(HttpRequest request)
    {
        foreach (var value in request.Headers[GrpcProtocol.TeHeader])
        {
            if (value is not null && value.Contains(GrpcProtocol.Trailers, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    // Long-lived streams must survive idle minutes: Kestrel's per-request body limits give way to our per-message limit.
    private static void DisableRequestLimits(HttpContext httpContext)
    {
        var minRequestRate = httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>();
        if (minRequestRate is not null)
        {
            minRequestRate.MinDataRate = null;
        }

        var minResponseRate = httpContext.Features.Get<IHttpMinResponseDataRateFeature>();
        if (minResponseRate is not null)
        {
            minResponseRate.MinDataRate = null;
        }

        var maxSize = httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (maxSize is { IsReadOnly: false })
        {
            maxSize.MaxRequestBodySize = null;
        }
    }

    internal static void WriteTrailersOnly(HttpContext httpContext, Status status)
    {
        var headers = httpContext.Response.Headers;
        httpContext.Response.ContentType = GrpcProtocol.ContentType;
        headers[GrpcProtocol.StatusTrailer] = ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (status.Detail.Length > 0)
        {
            headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.EncodeMessage(status.Detail);
        }
    }

    private static Task WriteHttpErrorAsync(HttpContext httpContext, int httpStatus, Status status)
    {
        httpContext.Response.StatusCode = httpStatus;
        var headers = httpContext.Response.Headers;
        headers[GrpcProtocol.StatusTrailer] = ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.EncodeMessage(status.Detail);
        return Task.CompletedTask;
    }
}
