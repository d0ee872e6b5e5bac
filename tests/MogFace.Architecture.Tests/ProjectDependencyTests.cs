using NetArchTest.Rules;

namespace MogFace.Architecture.Tests;

/// <summary>Dependencies point one way: engine ← registry ← HTTP surface ← hosts and CLI.</summary>
public sealed class ProjectDependencyTests
{
    private static readonly string[] Hosts = ["MogFace.Server", "MogFace.Functions", "MogFace.Cli"];

    [Fact]
    public void The_engine_depends_on_neither_AspNetCore_nor_Azure_nor_the_layers_above_it()
    {
        AssertNoDependency(Layers.Engine, ["Microsoft.AspNetCore", "Azure", "OpenTelemetry", "MogFace.Registry", "MogFace.Http", .. Hosts]);
        var closure = Layers.Closure(Layers.Engine);
        Assert.DoesNotContain(closure, name => name.StartsWith("Azure", StringComparison.Ordinal));
        Assert.DoesNotContain(closure, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Contains("Microsoft.ML.OnnxRuntime", closure); // the walk itself works
    }

    [Fact]
    public void The_registry_depends_on_neither_AspNetCore_nor_the_HTTP_surface_nor_a_host()
    {
        AssertNoDependency(Layers.Registry, ["Microsoft.AspNetCore", "MogFace.Http", .. Hosts]);
        Assert.DoesNotContain(Layers.Closure(Layers.Registry), name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void The_HTTP_surface_does_not_know_the_hosts() => AssertNoDependency(Layers.Http, Hosts);

    [Fact]
    public void The_CLI_uses_the_engine_and_the_registry_but_not_the_HTTP_surface()
    {
        AssertNoDependency(Layers.Cli, ["MogFace.Http", "Microsoft.AspNetCore", "MogFace.Server", "MogFace.Functions"]);
        Assert.DoesNotContain(Layers.Closure(Layers.Cli), name => name.StartsWith("MogFace.Http", StringComparison.Ordinal));
    }

    [Fact]
    public void No_library_references_a_host_assembly()
    {
        foreach (var library in Layers.Libraries)
        {
            var references = library.GetReferencedAssemblies().Select(a => a.Name);
            Assert.DoesNotContain(references, name => Hosts.Contains(name) || name == "mogface");
        }
    }

    private static void AssertNoDependency(System.Reflection.Assembly assembly, string[] forbidden)
    {
        var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        Assert.True(result.IsSuccessful,
            $"{assembly.GetName().Name} depends on {string.Join(", ", forbidden)}: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }
}
