using System.Reflection;
using NetArchTest.Rules;

namespace MogFace.Architecture.Tests;

/// <summary>
/// No namespace depends on itself through others: inside each library the namespaces form layers, so a reader can
/// start at the bottom (e.g. Engine.Detection) and never has to go back and forth.
/// </summary>
public sealed class NamespaceCycleTests
{
    public static TheoryData<string> Libraries => new(Layers.Libraries.Select(a => a.GetName().Name!));

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Namespaces_form_no_cycle(string library)
    {
        var graph = NamespaceGraph(Layers.Libraries.Single(a => a.GetName().Name == library));
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"namespace cycle in {library}: {string.Join(" → ", cycle ?? [])}");
    }

    [Fact]
    public void The_cycle_finder_finds_a_cycle()
    {
        var graph = new Dictionary<string, IReadOnlySet<string>>
        {
            ["a"] = new HashSet<string> { "b" },
            ["b"] = new HashSet<string> { "c" },
            ["c"] = new HashSet<string> { "a" },
        };
        Assert.Equal(["a", "b", "c", "a"], FindCycle(graph));
        graph["c"] = new HashSet<string>();
        Assert.Null(FindCycle(graph));
    }

    [Fact]
    public void The_graph_sees_a_known_dependency()
    {
        var graph = NamespaceGraph(Layers.Engine);
        Assert.Contains("MogFace.Engine.Detection", graph["MogFace.Engine.Families.YuNet"]);
    }

    /// <summary>Namespace → the other namespaces of the same assembly its types use (by exact type name).</summary>
    internal static Dictionary<string, IReadOnlySet<string>> NamespaceGraph(Assembly assembly)
    {
        var typesByNamespace = assembly.GetTypes()
            .Where(t => t.Namespace is not null && !t.Name.StartsWith('<'))
            .GroupBy(t => t.Namespace!)
            .ToDictionary(g => g.Key, g => g.Select(t => t.FullName!.Split('`')[0]).ToArray());
        var graph = new Dictionary<string, IReadOnlySet<string>>();
        foreach (var from in typesByNamespace.Keys)
        {
            var edges = new HashSet<string>();
            foreach (var (to, targets) in typesByNamespace)
            {
                if (to == from) continue;
                var uses = Types.InAssembly(assembly).That().ResideInNamespaceMatching($"^{System.Text.RegularExpressions.Regex.Escape(from)}$")
                    .Should().NotHaveDependencyOnAny(targets).GetResult();
                if (!uses.IsSuccessful) edges.Add(to);
            }
            graph[from] = edges;
        }
        return graph;
    }

    internal static List<string>? FindCycle(IReadOnlyDictionary<string, IReadOnlySet<string>> graph)
    {
        var state = new Dictionary<string, int>(); // 1 = on the path, 2 = done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? new HashSet<string>())
            {
                if (state.GetValueOrDefault(next) == 1) return [.. path[path.IndexOf(next)..], next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }
}
