namespace MogFace.Registry.Serving;

/// <summary>What an instance serves at one moment: replaced as a whole, never mutated.</summary>
internal sealed record ModelSet(RetainedModel? Active, RetainedModel? Canary, int CanaryPercent)
{
    public static ModelSet Empty { get; } = new(null, null, 0);

    public string? ActiveVersion => Active?.Version;
    public string? CanaryVersion => Canary?.Version;

    public IReadOnlyList<string> Versions =>
        new[] { Active?.Version, Canary?.Version }.OfType<string>().Distinct().ToArray();

    public bool Serves(ModelTarget target) =>
        ActiveVersion == target.Active && CanaryVersion == target.Canary && (Canary is null || CanaryPercent == target.CanaryPercent);
}
