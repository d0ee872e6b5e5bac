using MogFace.Registry.Storage;

namespace MogFace.Registry.Serving;

/// <summary>One atomic change of what an instance serves.</summary>
/// <param name="Timestamp">Stopwatch timestamp taken just before the new set became visible to requests.</param>
internal sealed record ModelSwap(string InstanceId, string? Active, string? Canary, int CanaryPercent, IReadOnlyList<string> Retired, DateTimeOffset At, long Timestamp);
