using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mesh.Hub.Tests.Support;

/// <summary>A logger that keeps every entry (event name, level, formatted message) for a test to read.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(string Event, LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((eventId.Name ?? "", logLevel, formatter(state, exception)));

    public IReadOnlyList<string> Messages(string eventName) => Entries.Where(e => e.Event == eventName).Select(e => e.Message).ToList();
}
