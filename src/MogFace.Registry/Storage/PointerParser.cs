using System.Text.Json;
using MogFace.Engine.Text;

namespace MogFace.Registry.Storage;

/// <summary>
/// Reads <c>models/pointer.json</c> without trusting it: anyone with write access to the container (or a torn
/// hand-edit) can leave bad JSON, <c>null</c>, or the right JSON with the wrong types or nulls where the code
/// expects lists. Any of these is "unreadable" with a reason, never an exception deep in a handler.
/// </summary>
internal static class PointerParser
{
    /// <summary>The document, or null with <paramref name="error"/> saying why it is not a pointer.</summary>
    public static PointerDocument? TryParse(BinaryData content, out string? error)
    {
        PointerDocument? document;
        try
        {
            document = content.ToObjectFromJson<PointerDocument>(RegistryDocuments.ReadOptions);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            error = $"not a pointer document: {ExceptionText.FirstLine(ex.Message)}";
            return null;
        }
        error = document is null ? "it holds JSON null" : Problem(document);
        return error is null ? document : null;
    }

    private static string? Problem(PointerDocument pointer)
    {
        if (pointer.Active is { } active && string.IsNullOrWhiteSpace(active))
            return "\"active\" is blank";
        if (pointer.Previous is null)
            return "\"previous\" is null";
        if (pointer.Previous.Any(string.IsNullOrWhiteSpace))
            return "\"previous\" holds a blank or null entry";
        if (pointer.Canary is { } canary && (string.IsNullOrWhiteSpace(canary.Version) || canary.Percent is < 0 or > 100))
            return "\"canary\" needs a version and a percent within 0..100";
        if (pointer.Plan is { } plan && (string.IsNullOrWhiteSpace(plan.Version) || plan.Steps is not { Count: > 0 } || plan.Decisions is null))
            return "\"plan\" needs a version, steps and decisions";
        return null;
    }
}
