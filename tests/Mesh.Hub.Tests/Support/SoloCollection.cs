namespace Mesh.Hub.Tests.Support;

/// <summary>Test classes that must not share the process with other hubs: xUnit runs this collection after the parallel ones, by itself.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoloCollection
{
    public const string Name = "solo";
}
