using MogFace.Http;

namespace MogFace.Http.Tests;

public class DetectionGateTests
{
    [Fact]
    public async Task Holds_at_most_the_limit_and_lets_the_next_in_when_one_leaves()
    {
        using var gate = new DetectionGate(2);
        var first = await gate.EnterAsync(CancellationToken.None);
        var second = await gate.EnterAsync(CancellationToken.None);
        var third = gate.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(third.IsCompleted);
        Assert.Equal(2, gate.InUse);

        first.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        second.Dispose();
        Assert.Equal(0, gate.InUse);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_without_a_slot()
    {
        using var gate = new DetectionGate(1);
        using var held = await gate.EnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = gate.EnterAsync(cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, gate.InUse);
    }

    [Fact]
    public void Zero_means_one_slot_per_processor()
    {
        using var gate = new DetectionGate(0);
        Assert.Equal(Environment.ProcessorCount, gate.Limit);
    }
}
