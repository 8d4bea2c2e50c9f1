using System.Threading.RateLimiting;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// A token bucket per key: System.Threading.RateLimiting's <see cref="TokenBucketRateLimiter"/> (burst, one token per
/// period), refilled by a <see cref="TimeProvider"/> timer instead of the limiter's own wall-clock timer, so a fake
/// clock drives it in tests. A bucket that is full again is dropped: memory is bounded by the keys that spent
/// tokens within the last burst × period.
/// </summary>
public sealed class KeyedTokenBuckets : IDisposable
{
    private readonly Dictionary<string, TokenBucketRateLimiter> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TokenBucketRateLimiterOptions _options;
    private readonly TimeSpan _period;
    private readonly TimeProvider _time;
    private readonly ITimer _refill;
    private DateTimeOffset _nextRefill;

    public KeyedTokenBuckets(int burst, TimeSpan period, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        _options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = 1,
            // Refilled only by our timer (AutoReplenishment off). The limiter's own minimum gap between two refills is
            // measured on the wall clock, so it is set to its least: every tick of our clock counts.
            ReplenishmentPeriod = TimeSpan.FromTicks(1),
            AutoReplenishment = false,
            QueueLimit = 0,
        };
        _period = period;
        _time = time;
        _nextRefill = time.GetUtcNow() + period;
        _refill = time.CreateTimer(_ => Refill(), null, period, period);
    }

    /// <summary>Keys holding a bucket that is not full (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _buckets.Count;
        }
    }

    /// <summary>Takes a token of <paramref name="key"/>'s bucket; false, with the time to the next refill, when it is empty.</summary>
    public bool TryAcquire(string key, out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            if (!_buckets.TryGetValue(key, out var bucket))
                _buckets[key] = bucket = new TokenBucketRateLimiter(_options);
            using var lease = bucket.AttemptAcquire();
            if (lease.IsAcquired)
            {
                retryAfter = TimeSpan.Zero;
                return true;
            }

            var wait = _nextRefill - _time.GetUtcNow();
            retryAfter = wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            return false;
        }
    }

    public void Forget(string key)
    {
        lock (_gate)
        {
            if (_buckets.Remove(key, out var bucket))
                bucket.Dispose();
        }
    }

    public void Dispose()
    {
        _refill.Dispose();
        lock (_gate)
        {
            foreach (var bucket in _buckets.Values)
                bucket.Dispose();
            _buckets.Clear();
        }
    }

    private void Refill()
    {
        lock (_gate)
        {
            _nextRefill = _time.GetUtcNow() + _period;
            foreach (var (key, bucket) in _buckets)
            {
                bucket.TryReplenish();
                if (bucket.GetStatistics()!.CurrentAvailablePermits >= _options.TokenLimit)
                {
                    _buckets.Remove(key);
                    bucket.Dispose();
                }
            }
        }
    }
}
