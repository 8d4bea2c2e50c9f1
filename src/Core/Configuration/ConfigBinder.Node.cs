namespace Mesh.Core.Configuration;

internal sealed partial class ConfigBinder
{
    /// <summary>[hub] target: one address or a list; each bad element is reported where it is written.</summary>
    private List<Uri> BindHubTargets()
    {
        var value = _raw.Get("hub.target");
        if (value is null)
        {
            Missing("hub", "target", "a node must know where the hub is. Add target = \"https://hub.example.com:50051\" (or a list of hubs, [\"https://hub-a:50051\", \"https://hub-b:50051\"]) under [hub].");
            return [];
        }

        var items = (List<ConfigListItem>)value.Value;
        if (items.Count == 0)
        {
            Problem(value, "lists no hub. Give at least one address, e.g. target = [\"https://hub-a.example.com:50051\", \"https://hub-b.example.com:50051\"].");
            return [];
        }

        var targets = new List<Uri>(items.Count);
        foreach (var item in items)
        {
            var at = value.Location.IsEnvironment || item.Line == 0 ? value.Location : ConfigLocation.InFile(value.Location.Source, item.Line, item.Column);
            if (!HubTargets.TryParse(item.Text, out var uri, out var error))
                _problems.Add(new ConfigProblem(at, value.Key.Path, error));
            else if (targets.Contains(uri!))
                _problems.Add(new ConfigProblem(at, value.Key.Path, $"'{item.Text}' is listed twice; list each hub once."));
            else
                targets.Add(uri!);
        }

        return targets;
    }

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
