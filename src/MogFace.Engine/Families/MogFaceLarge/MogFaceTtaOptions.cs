using System.Text.Json;
using MogFace.Engine.Families;

namespace MogFace.Engine.Families.MogFaceLarge;

/// <summary>
/// The accuracy mode (multi-scale + flip test with box voting, as the MogFace paper's WIDER FACE numbers were
/// made) and its budget. Manifest keys (all optional): <c>tta</c> (bool: always on for this model),
/// <c>ttaMaxPassPixels</c>, <c>ttaTimeBudgetMs</c>, <c>ttaVoteThreshold</c>, <c>ttaMaxShrink</c>.
/// </summary>
public sealed record MogFaceTtaOptions
{
    /// <summary>Run the accuracy mode for every request, not only when a request asks for it.</summary>
    public bool Enabled { get; init; }

    /// <summary>
    /// A pass whose network input would exceed this many pixels is skipped (the base pass always runs).
    /// Default 6,000,000: every pass of a WIDER-sized image (1024×768 up to ×2.6) fits; a 12-MP photo keeps
    /// only its downscaled passes. A pass costs in proportion to its pixels.
    /// </summary>
    public long MaxPassPixels { get; init; } = 6_000_000;

    /// <summary>
    /// No new pass starts once this much time has gone since the first one began (passes already run are
    /// merged). Default 10 s: on a GPU all passes of a typical photo fit; on a CPU the expensive upscaled
    /// passes are the ones dropped. Zero runs the single-scale pass and nothing else.
    /// </summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Box voting merges boxes with IoU ≥ this (reference default 0.6; 0.5 in its "hard" setting).</summary>
    public float VoteThreshold { get; init; } = 0.6f;

    /// <summary>
    /// The largest scale: the reference computes <c>sqrt(0x7fffffff / 200 / (H·W))</c> and, when that exceeds
    /// 2.2, uses its <c>--max_img_shrink</c> (2.6) instead.
    /// </summary>
    public double MaxShrink { get; init; } = 2.6;

    /// <summary>The reference's <c>--scale_weight</c>: the per-pass box-area limits are multiples of it.</summary>
    public float ScaleWeight { get; init; } = 15f;

    public static MogFaceTtaOptions Default { get; } = new();

    /// <summary>Defaults overridden by the manifest's <c>tta*</c> keys.</summary>
    public static MogFaceTtaOptions FromManifest(ModelManifest manifest)
    {
        var extra = manifest.Extra;
        if (extra is null)
            return Default;
        var options = Default;
        try
        {
            if (extra.TryGetValue("tta", out var tta))
                options = options with { Enabled = tta.GetBoolean() };
            if (extra.TryGetValue("ttaMaxPassPixels", out var pixels))
                options = options with { MaxPassPixels = pixels.GetInt64() };
            if (extra.TryGetValue("ttaTimeBudgetMs", out var ms))
                options = options with { TimeBudget = TimeSpan.FromMilliseconds(ms.GetDouble()) };
            if (extra.TryGetValue("ttaVoteThreshold", out var vote))
                options = options with { VoteThreshold = vote.GetSingle() };
            if (extra.TryGetValue("ttaMaxShrink", out var shrink))
                options = options with { MaxShrink = shrink.GetDouble() };
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw new ModelFormatException($"The manifest's MogFace accuracy-mode settings are invalid: {ex.Message}", ex);
        }
        return options.Validate() is { } problem ? throw new ModelFormatException($"The manifest's MogFace accuracy-mode settings are invalid: {problem}") : options;
    }

    public string? Validate()
    {
        if (MaxPassPixels < 1)
            return $"ttaMaxPassPixels must be positive; got {MaxPassPixels}.";
        if (TimeBudget < TimeSpan.Zero)
            return $"ttaTimeBudgetMs must not be negative; got {TimeBudget.TotalMilliseconds}.";
        if (!(VoteThreshold > 0 && VoteThreshold <= 1))
            return $"ttaVoteThreshold must be within (0, 1]; got {VoteThreshold}.";
        if (!(MaxShrink > 0 && MaxShrink <= 8))
            return $"ttaMaxShrink must be within (0, 8]; got {MaxShrink}.";
        return null;
    }
}
