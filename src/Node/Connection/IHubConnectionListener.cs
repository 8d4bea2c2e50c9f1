namespace Mesh.Node.Connection;

/// <summary>Told when the node has a (new) live connection to the hub: first connect, reconnect, renewal.</summary>
public interface IHubConnectionListener
{
    void OnConnected();
}
