namespace MogFace.Core.Lifecycle;

/// <summary>One atomic change of what an instance serves.</summary>
internal sealed record ModelSwap(string InstanceId, string? Active, string? Canary, int CanaryPercent, IReadOnlyList<string> Retired, DateTimeOffset At);
