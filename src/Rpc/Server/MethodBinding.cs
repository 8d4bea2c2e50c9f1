namespace Mesh.Rpc.Server;

/// <summary>One registered method: its path and how to run a call of its kind.</summary>
internal abstract class MethodBinding
{
    protected MethodBinding(string serviceName, string name, string fullName, MethodType type)
    {
        ServiceName = serviceName;
        Name = name;
        FullName = fullName;
        Type = type;
    }

    public string ServiceName { get; }

    public string Name { get; }

    public string FullName { get; }

    public MethodType Type { get; }

    /// <summary>Runs the handler; the dispatcher writes the final status.</summary>
    public abstract Task InvokeAsync(RpcCallContext call);
}
