using System.Threading.Channels;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Mesh.Rpc.Health;

/// <summary>
/// The standard <c>grpc.health.v1.Health</c> service: per-service status ("" is the whole server), <c>Check</c>,
/// <c>List</c> and <c>Watch</c>. <see cref="Shutdown"/> turns every status NOT_SERVING, tells the watchers and
/// ends their streams so the server can stop.
/// </summary>
public sealed class RpcHealthService
{
    public const string ServiceName = "grpc.health.v1.Health";

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> CheckMethod =
        new(MethodType.Unary, ServiceName, "Check", HealthCheckRequest.Parser, HealthCheckResponse.Parser);

    public static readonly Method<HealthListRequest, HealthListResponse> ListMethod =
        new(MethodType.Unary, ServiceName, "List", HealthListRequest.Parser, HealthListResponse.Parser);

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> WatchMethod =
        new(MethodType.ServerStreaming, ServiceName, "Watch", HealthCheckRequest.Parser, HealthCheckResponse.Parser);

    private const int MaxListed = 1000;

    private readonly object _gate = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal) { [string.Empty] = ServingStatus.Serving };
    private readonly Dictionary<string, List<Channel<ServingStatus>>> _watchers = new(StringComparer.Ordinal);
    private bool _shutdown;

    /// <summary>Sets the status of <paramref name="service"/> ("" for the server as a whole). Ignored after <see cref="Shutdown"/>.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (status is ServingStatus.ServiceUnknown)
        {
            throw new ArgumentException("SERVICE_UNKNOWN is reported by Watch for unknown services; use ClearStatus to forget one.", nameof(status));
        }

        lock (_gate)
        {
            if (_shutdown)
            {
                return;
            }

            _statuses[service] = status;
            Notify(service, status);
        }
    }

    /// <summary>Forgets <paramref name="service"/>: Check answers NOT_FOUND, watchers see SERVICE_UNKNOWN.</summary>
    public void ClearStatus(string service)
    {
        lock (_gate)
        {
            if (_statuses.Remove(service))
            {
                Notify(service, ServingStatus.ServiceUnknown);
            }
        }
    }

    public ServingStatus? GetStatus(string service)
    {
        lock (_gate)
        {
            return _statuses.TryGetValue(service, out var status) ? status : null;
        }
    }

    /// <summary>Every status to NOT_SERVING, for good: watchers get the change, then their streams end.</summary>
    public void Shutdown()
    {
        lock (_gate)
        {
            if (_shutdown)
            {
                return;
            }

            _shutdown = true;
            foreach (var service in _statuses.Keys.ToList())
            {
                _statuses[service] = ServingStatus.NotServing;
                Notify(service, ServingStatus.NotServing);
            }

            foreach (var channel in _watchers.Values.SelectMany(c => c))
            {
                channel.Writer.TryComplete();
            }

            _watchers.Clear();
        }
    }

    /// <summary>The service definition to map with <c>MapRpcService</c> (or use <c>MapRpcHealth</c>).</summary>
    public RpcServiceDefinition CreateDefinition() =>
        new RpcServiceBuilder(ServiceName)
            .Unary(CheckMethod, CheckAsync)
            .Unary(ListMethod, ListAsync)
            .ServerStreaming(WatchMethod, WatchAsync)
            .Build();

    private ValueTask<HealthCheckResponse> CheckAsync(HealthCheckRequest request, RpcCallContext context)
    {
        var status = GetStatus(request.Service)
            ?? throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
        return ValueTask.FromResult(new HealthCheckResponse { Status = status });
    }

    private ValueTask<HealthListResponse> ListAsync(HealthListRequest request, RpcCallContext context)
    {
        var response = new HealthListResponse();
        lock (_gate)
        {
            if (_statuses.Count > MaxListed)
            {
                throw new RpcException(StatusCode.ResourceExhausted, $"More than {MaxListed} services; use Check per service.");
            }

            foreach (var (service, status) in _statuses)
            {
                response.Statuses[service] = new HealthCheckResponse { Status = status };
            }
        }

        return ValueTask.FromResult(response);
    }

    private async Task WatchAsync(HealthCheckRequest request, IRpcStreamWriter<HealthCheckResponse> responses, RpcCallContext context)
    {
        // Capacity 1, drop oldest: a slow watcher still ends up with the latest status.
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        var service = request.Service;
        ServingStatus initial;
        lock (_gate)
        {
            initial = _statuses.TryGetValue(service, out var s) ? s : ServingStatus.ServiceUnknown;
            if (!_shutdown)
            {
                if (!_watchers.TryGetValue(service, out var list))
                {
                    _watchers[service] = list = [];
                }

                list.Add(channel);
            }
            else
            {
                channel.Writer.TryComplete();
            }
        }

        try
        {
            var last = initial;
            await responses.WriteAsync(new HealthCheckResponse { Status = initial }, context.CancellationToken).ConfigureAwait(false);
            await foreach (var status in channel.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                if (status != last)
                {
                    last = status;
                    await responses.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                if (_watchers.TryGetValue(service, out var list))
                {
                    list.Remove(channel);
                    if (list.Count == 0)
                    {
                        _watchers.Remove(service);
                    }
                }
            }
        }
    }

    private void Notify(string service, ServingStatus status)
    {
        if (_watchers.TryGetValue(service, out var list))
        {
            foreach (var channel in list)
            {
                channel.Writer.TryWrite(status);
            }
        }
    }
}
