using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Hosting;

/// <summary>
/// Marks the connections of one Kestrel listener so request middleware can tell which listener a request came in on
/// (a listener that serves one thing only: probes, metrics).
/// </summary>
public sealed class ListenerMark
{
    private readonly object _marker = new();
    private readonly string _key;

    public ListenerMark(string key) => _key = key;

    /// <summary>Marks every connection <paramref name="listen"/> accepts.</summary>
    public void Apply(ListenOptions listen) =>
        listen.Use(next => connection =>
        {
            connection.Items[_key] = _marker;
            return next(connection);
        });

    public bool IsOn(IDictionary<object, object?>? connectionItems) =>
        connectionItems?.TryGetValue(_key, out var marker) == true && ReferenceEquals(marker, _marker);

    public bool IsOn(HttpContext context) => IsOn(context.Features.Get<IConnectionItemsFeature>()?.Items);
}
