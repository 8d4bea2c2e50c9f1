using Mesh.Toml;

namespace Mesh.Core.Configuration;

/// <summary>Walks a parsed TOML document against <see cref="ConfigSchema"/>: unknown sections and keys, wrong types.</summary>
internal sealed class TomlConfigReader
{
    private readonly string _path;
    private readonly RawConfig _raw;
    private readonly List<ConfigProblem> _problems;

    public TomlConfigReader(string path, RawConfig raw, List<ConfigProblem> problems)
    {
        _path = path;
        _raw = raw;
        _problems = problems;
    }

    public void Read(TomlTable root) => ReadTable(root, prefix: string.Empty);

    private void ReadTable(TomlTable table, string prefix)
    {
        foreach (var (name, node) in table)
        {
            var location = At(table.GetKeySpan(name));
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";

            if (node is TomlTable child && !child.IsInline && ConfigSchema.Sections.Contains(path))
            {
                _raw.MarkSection(path, location);
                ReadTable(child, path);
                continue;
            }

            if (node is TomlTable inline && inline.IsInline && ConfigSchema.Sections.Contains(path))
            {
                _raw.MarkSection(path, location);
                ReadTable(inline, path);
                continue;
            }

            var isUnknownTable = node is TomlTable && ConfigSchema.Find(prefix, name) is null;
            if (prefix.Length == 0 || !ConfigSchema.Sections.Contains(prefix) || isUnknownTable)
            {
                ReportUnknownSection(path, node, location);
                continue;
            }

            var key = ConfigSchema.Find(prefix, name);
            if (key is null)
            {
                var candidates = ConfigSchema.InSection(prefix).Select(k => k.Name)
                    .Concat(ConfigSchema.Sections.Where(s => s.StartsWith(prefix + ".", StringComparison.Ordinal)).Select(s => s[(prefix.Length + 1)..]));
                _problems.Add(new ConfigProblem(location, path,
                    $"unknown key '{name}' in [{prefix}].{Suggestions.DidYouMean(name, candidates)} Known keys: {string.Join(", ", ConfigSchema.InSection(prefix).Select(k => k.Name))}."));
                continue;
            }

            if (TryConvert(key, node, out var value, out var error))
                _raw.Set(new RawValue(key, value, At(node.Span)));
            else
                _problems.Add(new ConfigProblem(At(node.Span), key.Path, error));
        }
    }

    private void ReportUnknownSection(string path, TomlNode node, ConfigLocation location)
    {
        if (node is TomlTable)
        {
            _problems.Add(new ConfigProblem(location, null,
                $"unknown section [{path}].{Suggestions.DidYouMean(path, ConfigSchema.Sections)} Known sections: {string.Join(", ", ConfigSchema.Sections.Select(s => "[" + s + "]"))}."));
            return;
        }

        var owner = ConfigSchema.Keys.FirstOrDefault(k => k.Name == path);
        var hint = owner is null
            ? Suggestions.DidYouMean(path, ConfigSchema.Keys.Select(k => k.Name)).Trim()
            : $"Put it under [{owner.Section}].";
        _problems.Add(new ConfigProblem(location, path,
            $"key '{path}' is outside any section. {hint}".TrimEnd()));
    }

    private ConfigLocation At(TomlSpan span) => ConfigLocation.InFile(_path, span.Start.Line, span.Start.Column);

    internal static bool TryConvert(ConfigKey key, TomlNode node, out object value, out string error)
    {
        value = null!;
        error = string.Empty;
        switch (key.Type)
        {
            case ConfigValueType.String when node is TomlString s:
                value = s.Value;
                return true;
            case ConfigValueType.Duration when node is TomlString d:
                return DurationText.TryParse(key, d.Value, out value, out error);
            case ConfigValueType.Boolean when node is TomlBoolean b:
                value = b.Value;
                return true;
            case ConfigValueType.Integer when node is TomlInteger i:
                return key.AcceptsInteger(i.Value, i.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), out value, out error);
            case ConfigValueType.StringArray when node is TomlArray array:
                var items = new List<string>(array.Count);
                foreach (var item in array)
                {
                    if (item is not TomlString text)
                    {
                        error = $"expected an array of strings, but an element is {Describe(item.Kind)}.";
                        return false;
                    }

                    items.Add(text.Value);
                }

                value = items;
                return true;
            default:
                error = $"expected {Describe(key.Type)}, got {Describe(node.Kind)}. Example: {key.Name} = {key.Default ?? Example(key.Type)}";
                return false;
        }
    }

    internal static string Describe(ConfigValueType type) => type switch
    {
        ConfigValueType.String => "a string",
        ConfigValueType.Boolean => "a boolean (true or false)",
        ConfigValueType.Integer => "an integer",
        ConfigValueType.StringArray => "an array of strings",
        ConfigValueType.Duration => "a duration string such as \"30s\"",
        _ => type.ToString(),
    };

    private static string Example(ConfigValueType type) => type switch
    {
        ConfigValueType.Boolean => "true",
        ConfigValueType.Integer => "10",
        ConfigValueType.StringArray => "[\"a\", \"b\"]",
        ConfigValueType.Duration => "\"30s\"",
        _ => "\"text\"",
    };

    private static string Describe(TomlKind kind) => kind switch
    {
        TomlKind.String => "a string",
        TomlKind.Integer => "an integer",
        TomlKind.Float => "a float",
        TomlKind.Boolean => "a boolean",
        TomlKind.Array => "an array",
        TomlKind.Table => "a table",
        _ => "a date/time",
    };
}
