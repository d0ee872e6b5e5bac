using System.Text.RegularExpressions;
using System.Text.Json.Nodes;

namespace MogFace.Infra.Tests;

/// <summary>
/// A compiled ARM template and its nested module deployments, with just enough expression evaluation to
/// follow parameters/variables/module outputs back to their literal defaults. Anything it cannot evaluate
/// stays the raw expression string (and so fails an equality assertion rather than passing by accident).
/// </summary>
public sealed partial class ArmTemplate
{
    public ArmTemplate(JsonObject root)
        : this(root, parameterValues: null, parent: null, name: "main")
    {
    }

    private ArmTemplate(JsonObject template, JsonObject? parameterValues, ArmTemplate? parent, string name)
    {
        Json = template;
        ParameterValues = parameterValues;
        Parent = parent;
        Name = name;
    }

    public JsonObject Json { get; }

    public string Name { get; }

    private JsonObject? ParameterValues { get; }

    private ArmTemplate? Parent { get; }

    /// <summary>Resources declared directly in this template (array or symbolic-name object form).</summary>
    public IEnumerable<JsonObject> Resources => Json["resources"] switch
    {
        JsonArray array => array.OfType<JsonObject>(),
        JsonObject map => map.Select(pair => pair.Value).OfType<JsonObject>(),
        _ => [],
    };

    public IEnumerable<ArmTemplate> Modules =>
        Resources
            .Where(r => (string?)r["type"] == "Microsoft.Resources/deployments")
            .Select(r => new ArmTemplate(
                (JsonObject)r["properties"]!["template"]!,
                r["properties"]!["parameters"] as JsonObject,
                this,
                (string)r["name"]!));

    public ArmTemplate Module(string name) =>
        Modules.SingleOrDefault(m => m.Name == name)
        ?? throw new InvalidOperationException($"No module deployment '{name}' in '{Name}'.");

    /// <summary>Every (template, resource) pair in this template and all nested modules, deployments excluded.</summary>
    public IEnumerable<(ArmTemplate Scope, JsonObject Resource)> AllResources()
    {
        foreach (var resource in Resources)
        {
            if ((string?)resource["type"] != "Microsoft.Resources/deployments")
            {
                yield return (this, resource);
            }
        }

        foreach (var module in Modules)
        {
            foreach (var pair in module.AllResources())
            {
                yield return pair;
            }
        }
    }

    public (ArmTemplate Scope, JsonObject Resource) Single(string type) =>
        AllResources().Single(p => string.Equals((string?)p.Resource["type"], type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The value of a parameter as this template sees it: the value passed in, else its default.</summary>
    public JsonNode? Parameter(string name)
    {
        if (ParameterValues?[name] is JsonObject passed && passed.ContainsKey("value"))
        {
            return Parent!.Resolve(passed["value"]);
        }

        var definition = Json["parameters"]?[name]
            ?? throw new InvalidOperationException($"No parameter '{name}' in '{Name}'.");
        return Resolve(definition["defaultValue"]);
    }

    public JsonNode? Variable(string name) =>
        Resolve(Json["variables"]?[name] ?? throw new InvalidOperationException($"No variable '{name}' in '{Name}'."));

    public JsonNode? Output(string name) =>
        Resolve(Json["outputs"]?[name]?["value"] ?? throw new InvalidOperationException($"No output '{name}' in '{Name}'."));

    /// <summary>The raw expression the parent template passes for a parameter of this module.</summary>
    public string? Passed(string name) => ParameterValues?[name]?["value"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>Evaluates the few expression shapes Bicep emits for plumbing; leaves others as they are.</summary>
    public JsonNode? Resolve(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                return new JsonArray(array.Select(item => Resolve(item)?.DeepClone()).ToArray());
            case JsonValue value when value.TryGetValue(out string? text) && IsExpression(text):
                return ResolveExpression(text) ?? node;
            default:
                return node;
        }
    }

    public string? ResolveString(JsonNode? node) => Resolve(node) switch
    {
        JsonValue value when value.TryGetValue(out string? s) => s,
        JsonValue value => value.ToJsonString(),
        _ => null,
    };

    private static bool IsExpression(string text) => text.StartsWith('[') && !text.StartsWith("[[", StringComparison.Ordinal) && text.EndsWith(']');

    private JsonNode? ResolveExpression(string expression)
    {
        if (ParameterExpression().Match(expression) is { Success: true } p)
        {
            return Parameter(p.Groups[1].Value)?.DeepClone();
        }

        if (VariableExpression().Match(expression) is { Success: true } v)
        {
            return Variable(v.Groups[1].Value)?.DeepClone();
        }

        if (VariableMemberExpression().Match(expression) is { Success: true } vm)
        {
            return (Variable(vm.Groups[1].Value) as JsonObject)?[vm.Groups[2].Value]?.DeepClone();
        }

        if (StringOfParameterExpression().Match(expression) is { Success: true } sp)
        {
            var inner = Parameter(sp.Groups[1].Value);
            return inner is null ? null : JsonValue.Create(inner is JsonValue jv && jv.TryGetValue(out string? s) ? s : inner.ToJsonString());
        }

        if (ModuleOutputExpression().Match(expression) is { Success: true } mo)
        {
            return Module(mo.Groups[1].Value).Output(mo.Groups[2].Value)?.DeepClone();
        }

        return null;
    }

    [GeneratedRegex(@"^\[parameters\('([^']+)'\)\]$")]
    private static partial Regex ParameterExpression();

    [GeneratedRegex(@"^\[variables\('([^']+)'\)\]$")]
    private static partial Regex VariableExpression();

    [GeneratedRegex(@"^\[variables\('([^']+)'\)\.(\w+)\]$")]
    private static partial Regex VariableMemberExpression();

    [GeneratedRegex(@"^\[string\(parameters\('([^']+)'\)\)\]$")]
    private static partial Regex StringOfParameterExpression();

    [GeneratedRegex(@"^\[reference\(.*'Microsoft\.Resources/deployments', '([^']+)'\), '[^']+'\)\.outputs\.(\w+)\.value\]$")]
    private static partial Regex ModuleOutputExpression();
}
