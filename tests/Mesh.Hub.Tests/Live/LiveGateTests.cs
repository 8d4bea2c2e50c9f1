using Mesh.Hub.Live;

namespace Mesh.Hub.Tests.Live;

public sealed class LiveGateTests
{
    [Fact]
    public void StreamGate_CapsOpenStreams_LeaseReleasedOnce()
    {
        var gate = new LiveGate(maxStreams: 2);
        var a = gate.TryEnter();
        var b = gate.TryEnter();
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Null(gate.TryEnter());
        Assert.Equal(2, gate.Open);
        a!.Dispose();
        a.Dispose(); // a second dispose must not free a second slot
        Assert.Equal(1, gate.Open);
        var c = gate.TryEnter();
        Assert.NotNull(c);
        Assert.Null(gate.TryEnter());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LiveGate(maxStreams: 0));
    }
}
