

namespace MogFace.Registry.Storage;

/// <summary>
/// Progressive delivery of a canary, kept in <c>models/pointer.json</c> beside the split it drives: the canary
/// serves <see cref="Steps"/>[<see cref="Step"/>] % of clients; after <see cref="Dwell"/> at a step with its error
/// rate and p99 within the configured margins of the stable version's, the decider moves to the next step, and
/// after the last one (100) it promotes the canary. When the canary falls outside the margins the decider ends
/// the split (rollback). Every decision is appended to <see cref="Decisions"/> with its reason; the plan stays in
/// the pointer after it finishes, so the history is kept until the next plan replaces it.
/// </summary>
public sealed record CanaryPlan
{
    public const string Running = "running";
    public const string Promoted = "promoted";
    public const string RolledBack = "rolled-back";
    public const string Cancelled = "cancelled";

    public required string Version { get; init; }

    /// <summary>Canary percents in ascending order, ending with 100 (= promote).</summary>
    public required IReadOnlyList<int> Steps { get; init; }

    public required TimeSpan Dwell { get; init; }

    /// <summary>Index into <see cref="Steps"/> of the step being served.</summary>
    public int Step { get; init; }

    public DateTimeOffset StepStartedAt { get; init; }

    /// <summary>running, promoted, rolled-back, or cancelled (an operator changed the canary by hand).</summary>
    public string State { get; init; } = Running;

    public IReadOnlyList<PlanDecision> Decisions { get; init; } = [];

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsRunning => State == Running;

    public int Percent => Steps[Math.Clamp(Step, 0, Steps.Count - 1)];
}

/// <summary>One decision of a canary plan: start, advance, promote, rollback or cancel, at which percent, and why.</summary>
public sealed record PlanDecision(DateTimeOffset At, string Action, int Percent, string Reason);
