using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mesh.IntegrationTests.Interop;

/// <summary>Captures every log entry of a test server so a test can fail on unexpected errors.</summary>
internal sealed class TestLogSink : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public IReadOnlyList<LogEntry> Errors => Entries.Where(e => e.Level >= LogLevel.Error).ToList();

    /// <summary>Fails if any entry at Error or above was logged, other than those named in <paramref name="allowedEvents"/>.</summary>
    public void AssertNoErrors(params string[] allowedEvents)
    {
        var unexpected = Errors.Where(e => !allowedEvents.Contains(e.EventName)).ToList();
        Assert.True(unexpected.Count == 0, "Unexpected error logs:\n" + string.Join("\n", unexpected));
    }

    public bool Contains(string eventName) => Entries.Any(e => e.EventName == eventName);

    internal sealed record LogEntry(string Category, LogLevel Level, string? EventName, string Message, Exception? Exception)
    {
        public override string ToString() => $"[{Level}] {Category} {EventName}: {Message} {Exception}";
    }

    private sealed class Logger(TestLogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue(new LogEntry(category, logLevel, eventId.Name, formatter(state, exception), exception));
    }
}
