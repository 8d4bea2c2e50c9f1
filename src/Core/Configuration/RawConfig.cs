namespace Mesh.Core.Configuration;

/// <summary>A configuration value before validation: its type-checked content and where it came from.</summary>
internal sealed record RawValue(ConfigKey Key, object Value, ConfigLocation Location);

/// <summary>One element of a list value and where it was written (line 0 when it came from the environment).</summary>
internal sealed record ConfigListItem(string Text, int Line, int Column);

/// <summary>Values collected from the file and the environment, keyed by "section.key"; the environment wins.</summary>
internal sealed class RawConfig
{
    private readonly Dictionary<string, RawValue> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConfigLocation> _sections = new(StringComparer.Ordinal);

    public RawConfig(ConfigLocation fileStart) => FileStart = fileStart;

    /// <summary>Where problems without a better position are reported (the start of the file).</summary>
    public ConfigLocation FileStart { get; }

    public void Set(RawValue value) => _values[value.Key.Path] = value;

    public void MarkSection(string section, ConfigLocation location) => _sections.TryAdd(section, location);

    public RawValue? Get(string path) => _values.GetValueOrDefault(path);

    /// <summary>The best place to report a missing key: its section's header if written, else the file.</summary>
    public ConfigLocation SectionLocation(string section) => _sections.GetValueOrDefault(section) ?? FileStart;
}
