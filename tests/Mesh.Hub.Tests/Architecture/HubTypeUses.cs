using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Mesh.Hub.Tests.Architecture;

/// <summary>
/// Every use of one Mesh.Hub type by another, read from the compiled Mesh.Hub.dll with Mono.Cecil: base types,
/// interfaces, attributes, fields, properties, signatures, locals and the instructions of every method body
/// (so lambdas, iterators and async state machines count for the type that wrote them). Razor pages count for
/// the folder of their .cshtml file.
/// </summary>
public static class HubTypeUses
{
    public static IReadOnlyList<TypeUse> Read(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var razorFolders = RazorFolders(module);
        var uses = new HashSet<TypeUse>();
        foreach (var type in module.Types)
        {
            var home = HomeNamespace(type, razorFolders);
            if (home is null)
                continue;
            foreach (var used in Collect(type).SelectMany(Expand))
            {
                if (used.Module != module && used.Scope != module)
                    continue;
                var definition = used.Resolve();
                if (definition is null || definition.Module != module)
                    continue;
                var outer = Outermost(definition);
                var target = HomeNamespace(outer, razorFolders);
                if (target is not null)
                    uses.Add(new TypeUse(home, type.FullName, target, outer.FullName));
            }
        }

        return [.. uses];
    }

    /// <summary>A type and what it is built from: List&lt;ActorRecord&gt; uses ActorRecord, ActorRecord[] too.</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference type)
    {
        if (type is GenericParameter)
            yield break;
        yield return type;
        if (type is GenericInstanceType generic)
        {
            foreach (var argument in generic.GenericArguments.SelectMany(Expand))
                yield return argument;
        }

        if (type is TypeSpecification specification)
        {
            foreach (var element in Expand(specification.ElementType))
                yield return element;
        }
    }

    private static TypeDefinition Outermost(TypeDefinition type)
    {
        while (type.DeclaringType is not null)
            type = type.DeclaringType;
        return type;
    }

    /// <summary>The namespace a top-level type lives in; for a Razor-compiled page, its .cshtml folder's; null for compiler plumbing.</summary>
    private static string? HomeNamespace(TypeDefinition type, Dictionary<string, string> razorFolders)
    {
        if (razorFolders.TryGetValue(type.FullName, out var folder))
            return folder;
        return type.Namespace.StartsWith(HubLayout.Root, StringComparison.Ordinal) ? type.Namespace : null;
    }

    /// <summary>Razor-compiled views by type, mapped to the folder of their file ("/Nodes/Pages/Index.cshtml" → Mesh.Hub.Nodes.Pages).</summary>
    private static Dictionary<string, string> RazorFolders(ModuleDefinition module)
    {
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attribute in module.Assembly.CustomAttributes.Where(a => a.AttributeType.Name == "RazorCompiledItemAttribute"))
        {
            if (attribute.ConstructorArguments is [{ Value: TypeReference view }, _, { Value: string identifier }])
            {
                var directory = identifier.Trim('/');
                directory = directory.Contains('/', StringComparison.Ordinal) ? directory[..directory.LastIndexOf('/')] : "";
                folders[view.FullName] = directory.Length == 0 ? HubLayout.Root : HubLayout.Root + "." + directory.Replace('/', '.');
            }
        }

        return folders;
    }

    private static IEnumerable<TypeReference> Collect(TypeDefinition type)
    {
        if (type.BaseType is not null)
            yield return type.BaseType;
        foreach (var i in type.Interfaces)
            yield return i.InterfaceType;
        foreach (var a in Attributes(type.CustomAttributes))
            yield return a;
        foreach (var field in type.Fields)
        {
            yield return field.FieldType;
            foreach (var a in Attributes(field.CustomAttributes))
                yield return a;
        }

        foreach (var property in type.Properties)
            yield return property.PropertyType;
        foreach (var method in type.Methods)
        {
            foreach (var t in Signature(method))
                yield return t;
            foreach (var a in Attributes(method.CustomAttributes))
                yield return a;
            if (!method.HasBody)
                continue;
            foreach (var local in method.Body.Variables)
                yield return local.VariableType;
            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        yield return t;
                        break;
                    case MethodReference m:
                        yield return m.DeclaringType;
                        foreach (var t in Signature(m))
                            yield return t;
                        if (m is GenericInstanceMethod g)
                        {
                            foreach (var argument in g.GenericArguments)
                                yield return argument;
                        }

                        break;
                    case FieldReference f:
                        yield return f.DeclaringType;
                        yield return f.FieldType;
                        break;
                }
            }
        }

        foreach (var nested in type.NestedTypes)
        {
            foreach (var t in Collect(nested))
                yield return t;
        }
    }

    private static IEnumerable<TypeReference> Signature(MethodReference method)
    {
        yield return method.ReturnType;
        foreach (var parameter in method.Parameters)
            yield return parameter.ParameterType;
    }

    private static IEnumerable<TypeReference> Attributes(IEnumerable<CustomAttribute> attributes)
    {
        foreach (var attribute in attributes)
        {
            yield return attribute.AttributeType;
            foreach (var argument in attribute.ConstructorArguments)
            {
                if (argument.Value is TypeReference t)
                    yield return t;
            }
        }
    }
}
