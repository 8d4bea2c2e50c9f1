namespace Mesh.Hosting;

/// <summary>A start-up failure an operator can fix (port in use, unreadable key file…). Printed as one line, no stack trace.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
