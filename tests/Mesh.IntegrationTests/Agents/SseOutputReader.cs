using System.Net.Http.Headers;
using System.Text;

namespace Mesh.IntegrationTests.Agents;

/// <summary>
/// Reads a run's output stream (/ui/agents/{id}/runs/{run}/output/stream) as a browser's EventSource does: base64
/// "chunk" events whose id is a position, and on any broken connection a new request with Last-Event-ID set to the
/// last id seen. <see cref="Drop"/> cuts the current connection from the client's side.
/// </summary>
public sealed class SseOutputReader(HttpClient http, string path) : IDisposable
{
    private readonly MemoryStream _bytes = new();
    private readonly Lock _gate = new();
    private CancellationTokenSource _connection = new();

    public string? LastEventId { get; private set; }

    /// <summary>Connections opened (the first one and every resume).</summary>
    public int Connections { get; private set; }

    /// <summary>Connections this side dropped.</summary>
    public int Drops { get; private set; }

    public List<string> Markers { get; } = [];

    public byte[] Bytes
    {
        get
        {
            lock (_gate)
                return _bytes.ToArray();
        }
    }

    public void Drop()
    {
        lock (_gate)
        {
            _connection.Cancel();
            Drops++;
        }
    }

    /// <summary>Reads until the stream's "end" event; reconnects (with Last-Event-ID) after any error or drop.</summary>
    public async Task ReadToEndAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            CancellationTokenSource connection;
            lock (_gate)
            {
                if (_connection.IsCancellationRequested)
                {
                    _connection.Dispose();
                    _connection = new CancellationTokenSource();
                }

                connection = _connection;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(connection.Token, cancellationToken);
            try
            {
                if (await ReadOnceAsync(linked.Token))
                    return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private async Task<bool> ReadOnceAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (LastEventId is not null)
            request.Headers.Add("Last-Event-ID", LastEventId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
            return false;
        Connections++;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        string? type = null, id = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                var colon = line.IndexOf(':');
                var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
                switch (field)
                {
                    case "event": type = value; break;
                    case "id": id = value; break;
                    case "data": data.Append(value); break;
                }

                continue;
            }

            switch (type)
            {
                case "chunk":
                    var bytes = Convert.FromBase64String(data.ToString());
                    lock (_gate)
                        _bytes.Write(bytes);
                    LastEventId = id;
                    break;
                case "dropped":
                    Markers.Add("dropped before " + data);
                    break;
                case "end":
                    return true;
            }

            (type, id) = (null, null);
            data.Clear();
        }

        return false;
    }

    public void Dispose() => _connection.Dispose();
}
