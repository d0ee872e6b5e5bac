using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using MogFace.Registry.Configuration;

namespace MogFace.Http;

/// <summary>
/// Pixels being decoded at once, counted before decoding from the image headers and the serving model: what the
/// decode will actually produce (<c>ImageIntake.DecodedPixels</c>). A PNG, WebP or BMP decodes in full, so its cost
/// follows its header's width × height, not its size: an 87 kB file that says 6000×6000 costs seconds (issue 12,
/// case 3). A JPEG decodes at the DCT scale the model needs (1/2 … 1/8, issue 14), so a 6000×6000 JPEG for a
/// model that samples 1280 px counts 1500×1500, 1/16 of it. Images whose decode is above
/// <see cref="LargeImagePixels"/> take their megapixels from a budget of <see cref="BudgetPixels"/> without
/// waiting, and a request that finds it spent is answered 503 <c>overloaded</c>: a client sending large images
/// gets at most the budget's share of the detection slots, and ordinary photos, which never touch the budget,
/// keep the rest.
/// </summary>
public sealed class DecodeBudget : IDisposable
{
    private const long Megapixel = 1_000_000;
    private readonly ConcurrencyLimiter _megapixels;

    public DecodeBudget(IOptions<MogFaceOptions> options)
        : this(options.Value.DecodeBudgetPixels > 0 ? options.Value.DecodeBudgetPixels : options.Value.MaxImagePixels, options.Value.LargeImagePixels)
    {
    }

    public DecodeBudget(long budgetPixels, long largeImagePixels)
    {
        BudgetPixels = budgetPixels;
        LargeImagePixels = largeImagePixels;
        _megapixels = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Permits(budgetPixels),
            QueueLimit = 0,
        });
    }

    public long BudgetPixels { get; }
    public long LargeImagePixels { get; }

    /// <summary>
    /// Takes the large images' share of the budget (<paramref name="pixels"/> = the pixels each image of one
    /// request will decode to); the lease is acquired at once for a request of ordinary images, and is not acquired when the
    /// budget cannot cover it now. One image larger than the whole budget takes the whole budget.
    /// </summary>
    public RateLimitLease TryTake(IEnumerable<long> pixels)
    {
        var large = pixels.Where(p => p > LargeImagePixels).Sum(p => (long)Permits(p));
        if (large == 0)
            return Ordinary.Instance;
        return _megapixels.AttemptAcquire((int)Math.Min(large, Permits(BudgetPixels)));
    }

    /// <summary>Megapixels of the budget free now.</summary>
    public long AvailableMegapixels => _megapixels.GetStatistics()?.CurrentAvailablePermits ?? 0;

    private static int Permits(long pixels) => (int)Math.Clamp((pixels + Megapixel - 1) / Megapixel, 1, int.MaxValue);

    public void Dispose() => _megapixels.Dispose();

    /// <summary>The lease of a request without large images: nothing taken, nothing to give back.</summary>
    private sealed class Ordinary : RateLimitLease
    {
        public static readonly Ordinary Instance = new();
        public override bool IsAcquired => true;
        public override IEnumerable<string> MetadataNames => [];
        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
