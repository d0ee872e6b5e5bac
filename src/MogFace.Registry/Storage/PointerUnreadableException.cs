using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;

namespace MogFace.Registry.Storage;

/// <summary>
/// <c>models/pointer.json</c> exists but does not parse as a pointer. Actions that need the current pointer
/// (rollback, canary) refuse with this; activation and upload replace the broken pointer instead.
/// </summary>
public sealed class PointerUnreadableException(string problem)
    : Exception($"models/pointer.json cannot be read ({problem}); activate a version (POST /api/models/{{version}}/activate) to replace it.")
{
    public string Problem { get; } = problem;
}
