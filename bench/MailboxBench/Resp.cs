using System.Net.Sockets;
using System.Text;

namespace Mesh.MailboxBench;

/// <summary>A minimal RESP2 client: one command in flight per connection (like one unary call), replies parsed into objects.</summary>
internal sealed class RespConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly BufferedStream _stream;
    private readonly byte[] _one = new byte[1];

    private RespConnection(TcpClient client)
    {
        _client = client;
        _stream = new BufferedStream(client.GetStream(), 64 * 1024);
    }

    public static async Task<RespConnection> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        return new RespConnection(client);
    }

    /// <summary>Sends one command and reads its reply: string, long, byte[]-as-string, object?[] or null; a Redis error throws.</summary>
    public async Task<object?> CallAsync(params string[] args)
    {
        var builder = new StringBuilder();
        builder.Append('*').Append(args.Length).Append("\r\n");
        foreach (var arg in args)
            builder.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        var bytes = Encoding.UTF8.GetBytes(builder.ToString());
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
        return await ReadAsync();
    }

    private async Task<object?> ReadAsync()
    {
        var line = await ReadLineAsync();
        var rest = line[1..];
        switch (line[0])
        {
            case '+':
                return rest;
            case '-':
                throw new InvalidOperationException("redis: " + rest);
            case ':':
                return long.Parse(rest, System.Globalization.CultureInfo.InvariantCulture);
            case '$':
                var length = int.Parse(rest, System.Globalization.CultureInfo.InvariantCulture);
                if (length < 0)
                    return null;
                var data = new byte[length + 2];
                await _stream.ReadExactlyAsync(data);
                return Encoding.UTF8.GetString(data, 0, length);
            case '*':
                var count = int.Parse(rest, System.Globalization.CultureInfo.InvariantCulture);
                if (count < 0)
                    return null;
                var items = new object?[count];
                for (var i = 0; i < count; i++)
                    items[i] = await ReadAsync();
                return items;
            default:
                throw new InvalidOperationException("redis: unexpected reply " + line);
        }
    }

    private async Task<string> ReadLineAsync()
    {
        var builder = new StringBuilder();
        while (true)
        {
            await _stream.ReadExactlyAsync(_one);
            if (_one[0] == '\r')
            {
                await _stream.ReadExactlyAsync(_one);
                return builder.ToString();
            }

            builder.Append((char)_one[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}
