using System.Diagnostics.CodeAnalysis;
using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Mesh.Core.Configuration.Toml;

/// <summary>
/// Parses TOML 1.1 with Tomlyn's syntax parser and validator, then builds <see cref="TomlTableNode"/>s that keep every
/// key's and value's position. <c>TomlSerializer.Deserialize</c> alone is not used: it lets duplicate keys and redefined
/// tables through.
/// </summary>
internal static class TomlDocumentParser
{
    public static bool TryParse(string text, [NotNullWhen(true)] out TomlTableNode? root, [NotNullWhen(false)] out TomlError? error)
    {
        DocumentSyntax document;
        try
        {
            document = SyntaxParser.ParseStrict(text, sourceName: null, validate: true);
        }
        catch (TomlException ex)
        {
            root = null;
            error = FirstError(ex);
            return false;
        }

        return TomlModelBuilder.TryBuild(document, out root, out error);
    }

    // Tomlyn goes on after an error, so later diagnostics are often consequences of the first (an unclosed string
    // reported again at the end of the file); the earliest one is the cause.
    private static TomlError FirstError(TomlException ex)
    {
        var first = ex.Diagnostics
            .Where(d => d.Kind == DiagnosticMessageKind.Error)
            .OrderBy(d => d.Span.Start.Offset)
            .FirstOrDefault();
        if (first is not null)
            return new TomlError(TomlPosition.From(first.Span.Start), first.Message);
        return new TomlError(new TomlPosition(ex.Line ?? 1, ex.Column ?? 1), ex.Message);
    }
}
