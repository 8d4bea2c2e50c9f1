namespace Mesh.Hub.Tests.Architecture;

/// <summary>One use of a type by a type of the hub: the using type's namespace and the used type's full name.</summary>
public sealed record TypeUse(string FromNamespace, string FromType, string ToNamespace, string ToType);

/// <summary>Checks uses of types against a layout table (see <see cref="HubLayout"/>); every message names the rule and the two types.</summary>
public static class LayoutRules
{
    private const string WebShell = "Web";

    /// <summary>The capability folder a namespace belongs to (the longest listed prefix), and whether the namespace is the capability's root.</summary>
    public static (string? Capability, bool IsRoot) Locate(string ns, IReadOnlyDictionary<string, string[]> table)
    {
        if (ns != HubLayout.Root && !ns.StartsWith(HubLayout.Root + ".", StringComparison.Ordinal))
            return (null, false);
        var folder = ns == HubLayout.Root ? "" : ns[(HubLayout.Root.Length + 1)..].Replace('.', '/');
        if (folder.Length == 0)
            return table.ContainsKey("") ? ("", true) : (null, false);
        for (var candidate = folder; candidate.Length > 0; candidate = candidate.Contains('/', StringComparison.Ordinal) ? candidate[..candidate.LastIndexOf('/')] : "")
        {
            if (table.ContainsKey(candidate))
                return (candidate, candidate == folder);
        }

        return (null, false);
    }

    public static IReadOnlyList<string> Violations(IEnumerable<TypeUse> uses, IReadOnlyDictionary<string, string[]> table)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var use in uses)
        {
            var (from, _) = Locate(use.FromNamespace, table);
            if (from is null)
            {
                if (use.FromNamespace.StartsWith(HubLayout.Root, StringComparison.Ordinal))
                    found.Add($"{use.FromType}: namespace {use.FromNamespace} is in no capability folder of the table");
                continue;
            }

            var (to, isRoot) = Locate(use.ToNamespace, table);
            if (to is null)
                continue;
            if (IsStore(use.ToType) && StoreMisuse(use, from, to) is { } misuse)
                found.Add($"{use.FromType} → {use.ToType}: {misuse}");
            if (to == from)
                continue;
            if (to.Length > 0 && !table[from].Contains(to, StringComparer.Ordinal))
                found.Add($"{use.FromType} → {use.ToType}: {Name(from)} may not depend on {Name(to)} (add it to the table, or move the code)");
            else if (!isRoot)
                found.Add($"{use.FromType} → {use.ToType}: {use.ToNamespace} is internal to {Name(to)}; use its root namespace {Namespace(to)}");
        }

        return [.. found];
    }

    /// <summary>
    /// A store is its capability's own: it is used by that capability's services (and by the stores of the same
    /// top-level capability, which share one database), never by pages, REST endpoints, the Web shell or another
    /// top-level capability; those go through a service.
    /// </summary>
    private static string? StoreMisuse(TypeUse use, string from, string to)
    {
        if (from == WebShell)
            return "the Web shell uses a capability's store";
        if (use.FromNamespace.EndsWith(".Pages", StringComparison.Ordinal) || use.FromNamespace.Contains(".Pages.", StringComparison.Ordinal))
            return "a page uses a store; read and write through the capability's service";
        if (TypeName(use.FromType).EndsWith("Endpoints", StringComparison.Ordinal))
            return "REST endpoints use a store; go through the capability's service";
        if (TopLevel(from) != TopLevel(to))
            return $"{Name(from)} uses a store of {Name(to)}; use its service";
        return null;
    }

    private static bool IsStore(string fullName) => TypeName(fullName).EndsWith("Store", StringComparison.Ordinal);

    /// <summary>The simple name of a type without namespace, nesting or generic arity.</summary>
    private static string TypeName(string fullName)
    {
        var name = fullName[(fullName.LastIndexOf('.') + 1)..];
        name = name.Contains('/', StringComparison.Ordinal) ? name[..name.IndexOf('/', StringComparison.Ordinal)] : name;
        return name.Contains('`', StringComparison.Ordinal) ? name[..name.IndexOf('`', StringComparison.Ordinal)] : name;
    }

    private static string TopLevel(string folder) => folder.Contains('/', StringComparison.Ordinal) ? folder[..folder.IndexOf('/', StringComparison.Ordinal)] : folder;

    /// <summary>A cycle in the table (as a path), or null.</summary>
    public static IReadOnlyList<string>? Cycle(IReadOnlyDictionary<string, string[]> table)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var path = new List<string>();
        foreach (var start in table.Keys)
        {
            if (Visit(start) is { } cycle)
                return cycle;
        }

        return null;

        IReadOnlyList<string>? Visit(string node)
        {
            if (state.GetValueOrDefault(node) == 2)
                return null;
            if (state.GetValueOrDefault(node) == 1)
                return [.. path.SkipWhile(n => n != node), node];
            state[node] = 1;
            path.Add(node);
            foreach (var next in table.GetValueOrDefault(node) ?? [])
            {
                if (Visit(next) is { } cycle)
                    return cycle;
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    private static string Name(string folder) => folder.Length == 0 ? "Mesh.Hub" : folder;

    private static string Namespace(string folder) => folder.Length == 0 ? HubLayout.Root : HubLayout.Root + "." + folder.Replace('/', '.');
}
