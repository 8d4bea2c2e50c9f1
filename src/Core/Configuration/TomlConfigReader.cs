using Mesh.Core.Configuration.Toml;

namespace Mesh.Core.Configuration;

/// <summary>Walks a parsed TOML document (positions from Tomlyn's syntax tree) against <see cref="ConfigSchema"/>: unknown sections and keys, wrong types.</summary>
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

    public void Read(TomlTableNode root) => ReadTable(root, prefix: string.Empty);

    private void ReadTable(TomlTableNode table, string prefix)
    {
        foreach (var (name, keyPosition, node) in table.Entries)
        {
            var location = At(keyPosition);
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";

            // A section may be a [header], dotted keys or an inline table.
            if (node is TomlTableNode child && ConfigSchema.Sections.Contains(path))
            {
                _raw.MarkSection(path, location);
                ReadTable(child, path);
                continue;
            }

            var isUnknownTable = node is TomlTableNode && ConfigSchema.Find(prefix, name) is null;
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
                _raw.Set(new RawValue(key, value, At(node.Position)));
            else
                _problems.Add(new ConfigProblem(At(node.Position), key.Path, error));
        }
    }

    private void ReportUnknownSection(string path, TomlNode node, ConfigLocation location)
    {
        if (node is TomlTableNode)
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

    private ConfigLocation At(TomlPosition position) => ConfigLocation.InFile(_path, position.Line, position.Column);

    internal static bool TryConvert(ConfigKey key, TomlNode node, out object value, out string error)
    {
        value = null!;
        error = string.Empty;
        switch (key.Type)
        {
            case ConfigValueType.String when node is TomlValueNode { Value: string s }:
                value = s;
                return true;
            case ConfigValueType.Duration when node is TomlValueNode { Value: string d }:
                return DurationText.TryParse(key, d, out value, out error);
            case ConfigValueType.Boolean when node is TomlValueNode { Value: bool b }:
                value = b;
                return true;
            case ConfigValueType.Integer when node is TomlValueNode { Value: long i }:
                return key.AcceptsInteger(i, i.ToString(System.Globalization.CultureInfo.InvariantCulture), out value, out error);
            case ConfigValueType.StringOrStringArray when node is TomlValueNode { Value: string single }:
                value = new List<ConfigListItem> { new(single, node.Position.Line, node.Position.Column) };
                return true;
            case ConfigValueType.StringOrStringArray when node is TomlArrayNode list:
                return TryStrings(list, key.Type, (text, item) => new ConfigListItem(text, item.Position.Line, item.Position.Column), out value, out error);
            case ConfigValueType.StringArray when node is TomlArrayNode array:
                return TryStrings(array, key.Type, (text, _) => text, out value, out error);
            default:
                error = $"expected {Describe(key.Type)}, got {Describe(node)}. Example: {key.Name} = {key.Default ?? Example(key.Type)}";
                return false;
        }
    }

    private static bool TryStrings<T>(TomlArrayNode array, ConfigValueType type, Func<string, TomlNode, T> element, out object value, out string error)
    {
        var items = new List<T>(array.Items.Count);
        foreach (var item in array.Items)
        {
            if (item is not TomlValueNode { Value: string text })
            {
                value = null!;
                error = $"expected {Describe(type)}, but an element is {Describe(item)}.";
                return false;
            }

            items.Add(element(text, item));
        }

        value = items;
        error = string.Empty;
        return true;
    }

    internal static string Describe(ConfigValueType type) => type switch
    {
        ConfigValueType.String => "a string",
        ConfigValueType.Boolean => "a boolean (true or false)",
        ConfigValueType.Integer => "an integer",
        ConfigValueType.StringArray => "an array of strings",
        ConfigValueType.StringOrStringArray => "a string or an array of strings",
        ConfigValueType.Duration => "a duration string such as \"30s\"",
        _ => type.ToString(),
    };

    private static string Example(ConfigValueType type) => type switch
    {
        ConfigValueType.Boolean => "true",
        ConfigValueType.Integer => "10",
        ConfigValueType.StringArray => "[\"a\", \"b\"]",
        ConfigValueType.StringOrStringArray => "[\"a\", \"b\"]",
        ConfigValueType.Duration => "\"30s\"",
        _ => "\"text\"",
    };

    private static string Describe(TomlNode node) => node switch
    {
        TomlTableNode => "a table",
        TomlArrayNode => "an array",
        TomlValueNode { Value: string } => "a string",
        TomlValueNode { Value: long } => "an integer",
        TomlValueNode { Value: double } => "a float",
        TomlValueNode { Value: bool } => "a boolean",
        _ => "a date/time",
    };
}
