namespace Mesh.Core.Configuration;

internal sealed partial class ConfigBinder
{
    // The local endpoint is plaintext and trusts nothing but the actor token, so it must stay on this machine.
    private ListenAddress? BindLocalListen(MeshRole role, out bool isDefault)
    {
        isDefault = false;
        var value = _raw.Get("node.local_listen");
        if (value is null)
        {
            isDefault = role == MeshRole.Node;
            return isDefault ? ParseListenOrThrow(NodeConfig.DefaultLocalListen) : null;
        }

        var text = ((string)value.Value).Trim();
        if (text.Length == 0)
            return null;
        if (!ListenAddress.TryParse(text, out var address, out var error))
        {
            Problem(value, error + " Use \"127.0.0.1:50055\", or \"\" to turn the local endpoint off.");
            return null;
        }

        if (!address!.IsLoopback)
        {
            Problem(value, $"'{text}' is not a loopback address. The node's local endpoint is plaintext HTTP/2 for agents on this machine only; "
                + "use 127.0.0.1:PORT (or [::1]:PORT, localhost:PORT), or \"\" to turn it off. Remote agents talk to the hub's internal gRPC over TLS.");
            return null;
        }

        return address;
    }
}
