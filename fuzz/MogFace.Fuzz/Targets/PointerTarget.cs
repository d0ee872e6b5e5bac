using MogFace.Registry.Storage;

namespace MogFace.Fuzz.Targets;

/// <summary>
/// <c>models/pointer.json</c> as <see cref="PointerParser"/> reads it: never an exception, either a document the
/// readers can use (no null lists, names not blank) or "unreadable" with a reason.
/// </summary>
internal sealed class PointerTarget : IFuzzTarget
{
    public void Run(Stream input)
    {
        var document = PointerParser.TryParse(BinaryData.FromBytes(FuzzTargets.ReadAll(input)), out var error);
        if (document is null)
        {
            if (string.IsNullOrEmpty(error))
                throw new InvalidOperationException("An unreadable pointer without a reason.");
            return;
        }
        // What the readers do with a pointer: walk the history, name the canary and the plan.
        foreach (var previous in document.Previous)
            _ = previous.Length;
        _ = document.Canary?.Version.Length;
        if (document.Plan is { } plan)
        {
            _ = plan.Version.Length + plan.Percent;
            foreach (var decision in plan.Decisions)
                _ = decision.Action.Length + decision.Reason.Length;
        }
    }
}
