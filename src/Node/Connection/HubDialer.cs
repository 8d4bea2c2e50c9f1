using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace Mesh.Node.Connection;

/// <summary>
/// Opens the TCP connection to one hub target whose name may resolve to several hubs: each address in turn with a
/// time limit of its own, the one that worked last first. So a hub machine that is gone (its packets dropped, not
/// refused) costs one address's limit instead of holding every attempt until the whole connect times out.
/// </summary>
internal sealed class HubDialer
{
    /// <summary>Per address; the channel's whole connect (TCP and TLS) is limited to 10 s.</summary>
    public static readonly TimeSpan PerAddress = TimeSpan.FromSeconds(4);

    private volatile IPAddress? _preferred;

    /// <summary>The address the last connection went to (null before the first).</summary>
    public IPAddress? Preferred => _preferred;

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0)
            throw new SocketException((int)SocketError.HostNotFound);
        var preferred = _preferred;
        var order = preferred is not null && addresses.Contains(preferred) ? addresses.Where(a => !a.Equals(preferred)).Prepend(preferred) : addresses;
        Exception? last = null;
        foreach (var address in order)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(PerAddress);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), limit.Token);
                _preferred = address;
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                socket.Dispose();
                last = ex is SocketException ? ex : new SocketException((int)SocketError.TimedOut, $"no answer from {address} within {PerAddress.TotalSeconds:0} s");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        _preferred = null;
        throw last!;
    }
}
