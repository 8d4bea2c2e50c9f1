namespace Mesh.Hub.Sessions;

/// <summary>A token bucket on a caller-supplied clock (not thread-safe; callers lock).</summary>
internal sealed class TokenBucket(double capacity, double perSecond, DateTimeOffset now)
{
    private readonly double _capacity = capacity;
    private double _tokens = capacity;
    private DateTimeOffset _updated = now;

    public bool TryTake(DateTimeOffset now, out TimeSpan retryAfter)
    {
        var elapsed = (now - _updated).TotalSeconds;
        if (elapsed > 0)
        {
            _tokens = Math.Min(_capacity, _tokens + (elapsed * perSecond));
            _updated = now;
        }

        if (_tokens >= 1)
        {
            _tokens -= 1;
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = TimeSpan.FromSeconds((1 - _tokens) / perSecond);
        return false;
    }
}
