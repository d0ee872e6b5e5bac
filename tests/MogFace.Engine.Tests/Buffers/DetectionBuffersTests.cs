using MogFace.Engine.Buffers;

namespace MogFace.Engine.Tests.Buffers;

/// <summary>
/// What DetectionBuffers keeps is bounded (issue 12's soak: the shared pool's per-thread caches held 1.4 GB). Element
/// types no production code rents (short, ushort) give each test a pool of its own.
/// </summary>
public class DetectionBuffersTests
{
    private const int LargeLength = 3 * 1024 * 1024; // 6 MiB of shorts: the large pool's 8 MiB size

    [Fact]
    public void Large_arrays_given_back_are_rented_again_and_the_pool_keeps_at_most_arrays_per_size_of_each_size()
    {
        // Four times what one size keeps: when a size runs out the pool serves the next larger sizes, then allocates.
        var count = 4 * DetectionBuffers<short>.ArraysPerSize;
        var first = Enumerable.Range(0, count).Select(_ => DetectionBuffers<short>.Rent(LargeLength)).ToList();
        Assert.All(first, array => Assert.True(array.Length >= LargeLength));
        first.ForEach(DetectionBuffers<short>.Return);

        var second = Enumerable.Range(0, count).Select(_ => DetectionBuffers<short>.Rent(LargeLength)).ToList();
        var kept = second.Where(array => first.Any(seen => ReferenceEquals(seen, array))).ToList();
        Assert.True(kept.Count >= DetectionBuffers<short>.ArraysPerSize, $"only {kept.Count} arrays were rented again");
        Assert.True(kept.Count < count, "the pool kept every array given back");
        Assert.All(kept.GroupBy(array => array.Length), size => Assert.True(size.Count() <= DetectionBuffers<short>.ArraysPerSize,
            $"{size.Count()} arrays of {size.Key} kept"));
        second.ForEach(DetectionBuffers<short>.Return);
    }

    [Fact]
    public void Arrays_over_the_pooled_size_are_never_kept_and_enough_of_them_given_back_start_a_full_collection()
    {
        var length = DetectionBuffers<ushort>.MaxPooledBytes / sizeof(ushort) + 1;
        // The array whose return reaches CollectAfterBytes is the last one; the ones before it start nothing.
        var arrays = (int)(DetectionBuffers<ushort>.CollectAfterBytes / (2L * length)) + 1;
        var before = DetectionBuffers<ushort>.CollectionsStarted;
        ushort[]? previous = null;
        for (var i = 0; i < arrays; i++)
        {
            Assert.Equal(before, DetectionBuffers<ushort>.CollectionsStarted);
            var array = DetectionBuffers<ushort>.Rent(length);
            Assert.False(ReferenceEquals(previous, array));
            DetectionBuffers<ushort>.Return(array);
            previous = array;
        }
        // Counted when it is started, not by GC.CollectionCount: the runtime counts a background collection only once
        // it runs, which may be after this line (a check of the count here failed in CI now and then).
        Assert.Equal(before + 1, DetectionBuffers<ushort>.CollectionsStarted);
    }
}
