using Microsoft.Extensions.Time.Testing;
using MogFace.Http;

namespace MogFace.Http.Tests;

public class DetectionSlotsTests
{
    private const long Small = 512 * 512;
    private const long Large = 6000 * 6000;

    [Fact]
    public async Task Holds_at_most_the_limit_and_lets_the_next_in_when_one_leaves()
    {
        using var slots = new DetectionSlots(2);
        var first = await slots.EnterAsync(Small, CancellationToken.None);
        var second = await slots.EnterAsync(Small, CancellationToken.None);
        var third = slots.EnterAsync(Small, CancellationToken.None).AsTask();
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
        using var held = await slots.EnterAsync(Small, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = slots.EnterAsync(Small, cancel.Token).AsTask();
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

    [Fact]
    public async Task While_small_requests_arrive_larger_ones_hold_at_most_one_slot_less_than_the_limit_and_all_of_them_once_they_stop()
    {
        var time = new FakeTimeProvider();
        using var slots = new DetectionSlots(3, time: time);
        Assert.Equal(2, slots.LargeLimit);
        (await slots.EnterAsync(Small, CancellationToken.None)).Dispose(); // small requests are arriving
        using var large1 = await slots.EnterAsync(Large, CancellationToken.None);
        var large2 = await slots.EnterAsync(Large, CancellationToken.None);
        var large3 = slots.EnterAsync(Large, CancellationToken.None).AsTask();
        Assert.False(large3.IsCompleted);

        var small = slots.EnterAsync(Small, CancellationToken.None).AsTask();
        Assert.True(small.IsCompletedSuccessfully, "a small request waited though a slot was free");
        Assert.Equal(3, slots.InUse);
        (await small).Dispose();
        Assert.False(large3.IsCompleted); // the free slot is kept for small requests

        // No small request for longer than the hold: the next freed slot may go to a large one, and so may the kept one.
        time.Advance(DetectionSlots.ReservationHold);
        large2.Dispose();
        using var third = await large3.WaitAsync(TimeSpan.FromSeconds(10));
        using var fourth = await slots.EnterAsync(Large, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, slots.InUse);
    }

    [Fact]
    public async Task A_freed_slot_goes_to_a_waiting_small_request_before_a_larger_one_that_came_first()
    {
        using var slots = new DetectionSlots(2);
        var first = await slots.EnterAsync(Small, CancellationToken.None);
        var second = await slots.EnterAsync(Small, CancellationToken.None);
        var large = slots.EnterAsync(Large, CancellationToken.None).AsTask();
        var small = slots.EnterAsync(Small, CancellationToken.None).AsTask();

        first.Dispose();
        using (await small.WaitAsync(TimeSpan.FromSeconds(10)))
            Assert.False(large.IsCompleted);
        second.Dispose();
        (await large.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        Assert.Equal(0, slots.InUse);
    }

    [Fact]
    public async Task A_cancelled_large_waiter_leaves_its_lane_and_the_next_one_gets_the_slot()
    {
        using var slots = new DetectionSlots(1);
        var held = await slots.EnterAsync(Large, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = slots.EnterAsync(Large, cancel.Token).AsTask();
        var next = slots.EnterAsync(Large, CancellationToken.None).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        held.Dispose();
        using (await next.WaitAsync(TimeSpan.FromSeconds(10)))
            Assert.Equal(1, slots.InUse);
        Assert.Equal(0, slots.InUse);
    }

    [Fact]
    public async Task With_a_single_slot_a_large_image_still_runs()
    {
        using var slots = new DetectionSlots(1);
        Assert.Equal(1, slots.LargeLimit);
        using var slot = await slots.EnterAsync(Large, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, slots.InUse);
    }

    [Fact]
    public async Task A_slot_given_back_twice_is_given_back_once()
    {
        using var slots = new DetectionSlots(2);
        var slot = await slots.EnterAsync(Small, CancellationToken.None);
        slot.Dispose();
        slot.Dispose();
        Assert.Equal(0, slots.InUse);
    }

    [Fact]
    public async Task Within_a_lane_a_smaller_image_goes_before_a_larger_one_that_came_shortly_before_it_but_not_before_one_that_waited_longer()
    {
        var time = new FakeTimeProvider();
        using var slots = new DetectionSlots(1, time: time);
        var held = await slots.EnterAsync(Small, CancellationToken.None);
        var photo = slots.EnterAsync(900_000, CancellationToken.None).AsTask();        // expected 90 ms of work
        time.Advance(TimeSpan.FromMilliseconds(50));
        var small = slots.EnterAsync(262_144, CancellationToken.None).AsTask();        // 26 ms, arriving 50 ms later
        time.Advance(TimeSpan.FromMilliseconds(200));
        var late = slots.EnterAsync(10_000, CancellationToken.None).AsTask();          // 1 ms, but 250 ms after the photo

        held.Dispose();
        var first = await small.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(photo.IsCompleted);
        first.Dispose();
        var second = await photo.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(late.IsCompleted);
        second.Dispose();
        (await late.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }
}
