using System.Reflection;
using MogFace.Engine;
using MogFace.Http;
using MogFace.Registry;

namespace MogFace.Architecture.Tests;

/// <summary>The projects' assemblies, lowest layer first.</summary>
internal static class Layers
{
    public static Assembly Engine { get; } = typeof(FaceModel).Assembly;
    public static Assembly Registry { get; } = typeof(RegistryServiceCollectionExtensions).Assembly;
    public static Assembly Http { get; } = typeof(ApiRoutes).Assembly;
    public static Assembly Server { get; } = typeof(MogFace.Server.MogFaceServer).Assembly;
    public static Assembly Cli { get; } = Assembly.Load("mogface");

    public static IEnumerable<Assembly> Libraries => [Engine, Registry, Http];

    /// <summary>Every assembly <paramref name="assembly"/> loads, directly or through others (the runtime closure).</summary>
    public static IReadOnlySet<string> Closure(Assembly assembly)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>(assembly.GetReferencedAssemblies());
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name.Name!)) continue;
            Assembly loaded;
            try { loaded = Assembly.Load(name); }
            catch (FileNotFoundException) { continue; } // a facade the runtime resolves elsewhere
            foreach (var next in loaded.GetReferencedAssemblies()) pending.Push(next);
        }
        return seen;
    }
}
