namespace Mesh.Toml;

/// <summary>A range in a TOML document; <see cref="End"/> is the position just after the last character.</summary>
public readonly record struct TomlSpan(TomlPosition Start, TomlPosition End)
{
    public override string ToString() => $"{Start}-{End}";
}
