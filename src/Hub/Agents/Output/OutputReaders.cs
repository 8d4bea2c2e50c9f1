namespace Mesh.Hub.Agents.Output;

/// <summary>
/// Caps the output streams one signed-in user (one API token, one operator account) has open at once, so a page or
/// script that opens hundreds cannot take every place of the hub-wide cap from the others.
/// </summary>
internal sealed class OutputReaders(int perUser)
{
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public int PerUser { get; } = perUser;

    /// <summary>A place for <paramref name="user"/>, or null when they have <see cref="PerUser"/> streams open.</summary>
    public IDisposable? TryEnter(string user)
    {
        lock (_gate)
        {
            var open = _open.GetValueOrDefault(user);
            if (open >= PerUser)
                return null;
            _open[user] = open + 1;
        }

        return new Place(this, user);
    }

    private void Leave(string user)
    {
        lock (_gate)
        {
            if (_open.GetValueOrDefault(user) <= 1)
                _open.Remove(user);
            else
                _open[user]--;
        }
    }

    private sealed class Place(OutputReaders readers, string user) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
                readers.Leave(user);
        }
    }
}
