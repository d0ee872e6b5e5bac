using MogFace.Http;

namespace MogFace.Http.Tests;

public class DetectionSlotsTests
{
    [Fact]
    public async Task Holds_at_most_the_limit_and_lets_the_next_in_when_one_leaves()
    {
        using var slots = new DetectionSlots(2);
        var first = await slots.EnterAsync(CancellationToken.None);
        var second = await slots.EnterAsync(CancellationToken.None);
        var third = slots.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(third.IsCompleted);
        Assert.Equal(2, slots.InUse);

        first.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        second.Dispose();
        Assert.Equal(0, slots.InUse);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_without_a_slot()
    {
        using var slots = new DetectionSlots(1);
        using var held = await slots.EnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = slots.EnterAsync(cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, slots.InUse);
    }

    [Fact]
    public void Zero_means_one_slot_per_processor()
    {
        using var slots = new DetectionSlots(0);
        Assert.Equal(Environment.ProcessorCount, slots.Limit);
    }
}
