using Mesh.Core.Configuration.Toml;

namespace Mesh.Core.Configuration;

/// <summary>Applies MESH_&lt;SECTION&gt;__&lt;KEY&gt; environment variables over file values.</summary>
internal static class EnvironmentOverrides
{
    public static void Apply(IReadOnlyDictionary<string, string?> environment, RawConfig raw, List<ConfigProblem> problems)
    {
        var byVariable = ConfigSchema.Keys.ToDictionary(k => k.EnvironmentVariable, StringComparer.Ordinal);
        foreach (var (name, text) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            // Only MESH_X__Y names are config overrides; MESH_CONFIG, MESH_ACTOR_TOKEN and the like are not.
            if (!name.StartsWith("MESH_", StringComparison.Ordinal) || !name.Contains("__", StringComparison.Ordinal) || text is null)
                continue;

            var location = ConfigLocation.FromEnvironment(name);
            if (!byVariable.TryGetValue(name, out var key))
            {
                problems.Add(new ConfigProblem(location, null,
                    $"unknown configuration variable.{Suggestions.DidYouMean(name, byVariable.Keys)} Variables are MESH_<SECTION>__<KEY>, e.g. MESH_INTERNAL_GRPC__LISTEN."));
                continue;
            }

            if (TryConvert(key, text, out var value, out var error))
                raw.Set(new RawValue(key, value, location));
            else
                problems.Add(new ConfigProblem(location, key.Path, error));
        }
    }

    private static bool TryConvert(ConfigKey key, string text, out object value, out string error)
    {
        value = null!;
        error = string.Empty;
        switch (key.Type)
        {
            case ConfigValueType.String:
                value = text;
                return true;
            case ConfigValueType.Duration:
                return DurationText.TryParse(key, text, out value, out error);
            case ConfigValueType.Boolean:
                if (bool.TryParse(text, out var flag))
                {
                    value = flag;
                    return true;
                }

                error = $"'{text}' is not a boolean. Use true or false.";
                return false;
            case ConfigValueType.Integer:
                var style = System.Globalization.NumberStyles.AllowLeadingSign;
                if (long.TryParse(text, style, System.Globalization.CultureInfo.InvariantCulture, out var number))
                    return key.AcceptsInteger(number, text, out value, out error);
                // Digits that do not fit a long are a number out of range, not a typo.
                var isNumber = System.Numerics.BigInteger.TryParse(text, style, System.Globalization.CultureInfo.InvariantCulture, out _);
                error = isNumber && key.Range is { } range ? range.OutOfRange(text) : $"'{text}' is not an integer.";
                return false;
            case ConfigValueType.StringArray:
                return TryConvertArray(key, text, out value, out error);
            case ConfigValueType.StringOrStringArray:
                if (text.TrimStart().StartsWith('['))
                    return TryConvertArray(key, text, out value, out error);
                value = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => new ConfigListItem(t, 0, 0)).ToList();
                error = string.Empty;
                return true;
            default:
                error = $"unsupported type {key.Type}.";
                return false;
        }
    }

    // An array is written either as a TOML array ('["gpu", "docker"]') or as comma-separated words ('gpu,docker').
    private static bool TryConvertArray(ConfigKey key, string text, out object value, out string error)
    {
        value = null!;
        var trimmed = text.Trim();
        if (!trimmed.StartsWith('['))
        {
            value = trimmed.Length == 0
                ? new List<string>()
                : trimmed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
            error = string.Empty;
            return true;
        }

        if (!TomlDocumentParser.TryParse("v = " + trimmed, out var table, out var parseError))
        {
            error = $"'{text}' is not a TOML array: {parseError.Message.TrimEnd('.')}. Write [\"a\", \"b\"] or a,b.";
            return false;
        }

        return TomlConfigReader.TryConvert(key, table["v"], out value, out error);
    }
}
