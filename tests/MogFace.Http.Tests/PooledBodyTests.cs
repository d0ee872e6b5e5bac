using MogFace.Http;

namespace MogFace.Http.Tests;

/// <summary>
/// Bodies are read byte for byte whatever their size: in pooled arrays up to 1 MiB, in native memory past it
/// (freed on dispose, issue 12's soak), never past the cap.
/// </summary>
public class PooledBodyTests
{
    public static TheoryData<int> Sizes => [0, 1, 65_535, 65_536, 65_537, PooledBody.PooledUpTo, PooledBody.PooledUpTo + 1, 4 * 1024 * 1024, 5_000_003];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Reads_every_byte_of_a_body_of_any_size_in_small_reads_or_declared(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);

        using (var trickled = await PooledBody.ReadAsync(new TrickleStream(bytes, 7_001), null, 8 * 1024 * 1024, "The body", CancellationToken.None))
            Assert.True(trickled.Memory.Span.SequenceEqual(bytes));
        using (var declared = await PooledBody.ReadAsync(new MemoryStream(bytes), size, 8 * 1024 * 1024, "The body", CancellationToken.None))
            Assert.True(declared.Memory.Span.SequenceEqual(bytes));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(3 * 1024 * 1024)]
    public async Task A_body_one_byte_past_the_cap_is_413_and_a_body_at_the_cap_is_read(int cap)
    {
        var bytes = new byte[cap + 1];
        var ex = await Assert.ThrowsAsync<HttpProblemException>(() =>
            PooledBody.ReadAsync(new TrickleStream(bytes, 4096), null, cap, "The body", CancellationToken.None));
        Assert.Equal(413, ex.Status);

        using var atCap = await PooledBody.ReadAsync(new MemoryStream(bytes, 0, cap), null, cap, "The body", CancellationToken.None);
        Assert.Equal(cap, atCap.Length);
    }

    [Fact]
    public async Task A_disposed_body_refuses_to_be_read_instead_of_reading_freed_memory()
    {
        var body = await PooledBody.ReadAsync(new MemoryStream(new byte[2 * 1024 * 1024]), null, 4 * 1024 * 1024, "The body", CancellationToken.None);
        body.Dispose();
        body.Dispose();
        Assert.Throws<ObjectDisposedException>(() => body.Memory);
    }

    /// <summary>A stream that hands out at most <paramref name="chunk"/> bytes per read, as a socket does.</summary>
    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
