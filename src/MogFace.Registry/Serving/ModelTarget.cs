using MogFace.Registry.Storage;

namespace MogFace.Registry.Serving;

/// <summary>The models a pointer asks an instance to serve.</summary>
internal sealed record ModelTarget(string? Active, string? Canary, int CanaryPercent)
{
    public static ModelTarget From(PointerDocument? pointer)
    {
        if (pointer?.Active is null)
            return new ModelTarget(null, null, 0);
        var canary = pointer.Canary is { Percent: > 0 } c && c.Version != pointer.Active ? c : null;
        return new ModelTarget(pointer.Active, canary?.Version, canary?.Percent ?? 0);
    }

    public IEnumerable<string> Versions => new[] { Active, Canary }.OfType<string>();
}
