using MogFace.Cli.Bench;

namespace MogFace.Cli.Tests.Bench;

/// <summary>
/// The open load <c>bench http --probe</c> runs beside the in-process engine: requests that do not answer do not pile
/// up without bound, a failed request is not swallowed, and stopping it waits for what is in flight.
/// </summary>
public sealed class ProbeLoadTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void A_rate_it_cannot_keep_is_refused(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbeLoad.Start(_ => Task.CompletedTask, rate, CancellationToken.None));

    [Fact]
    public async Task Requests_that_do_not_answer_stop_at_the_in_flight_bound_and_are_cancelled_when_it_stops()
    {
        var started = 0;
        var reachedBound = new TaskCompletionSource();
        var load = ProbeLoad.Start(async ct =>
        {
            if (Interlocked.Increment(ref started) == ProbeLoad.MaxInFlight)
                reachedBound.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }, requestsPerSecond: 10_000, CancellationToken.None);

        await reachedBound.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // A thousand more turns of the schedule go by while all of them hang: none starts another request.
        await WaitForTurnsAsync(load, 1_000);
        Assert.Equal(ProbeLoad.MaxInFlight, Volatile.Read(ref started));

        await load.DisposeAsync(); // returns only once every hanging request saw the cancellation
        Assert.Equal(0, load.Answered);
    }

    [Fact]
    public async Task A_failed_probe_request_surfaces_when_the_load_stops()
    {
        var failed = new TaskCompletionSource();
        var load = ProbeLoad.Start(_ =>
        {
            failed.TrySetResult();
            throw new InvalidOperationException("POST api/detect: 503");
        }, requestsPerSecond: 100, CancellationToken.None);

        await failed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await load.DisposeAsync());
        Assert.Contains("503", error.Message);
    }

    [Fact]
    public async Task Answered_requests_are_counted_with_their_round_trips()
    {
        var answers = 0;
        var tenAnswered = new TaskCompletionSource();
        var load = ProbeLoad.Start(_ =>
        {
            if (Interlocked.Increment(ref answers) == 10)
                tenAnswered.SetResult();
            return Task.CompletedTask;
        }, requestsPerSecond: 1_000, CancellationToken.None);

        await tenAnswered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await load.DisposeAsync();

        Assert.True(load.Answered >= 10, $"{load.Answered} answered");
        Assert.Equal(load.Answered, load.Latencies().Length);
        Assert.All(load.Latencies(), ms => Assert.True(ms >= 0));
        Assert.Equal(Volatile.Read(ref answers), load.Answered);
    }

    private static async Task WaitForTurnsAsync(ProbeLoad load, int turns)
    {
        var target = load.Turns + turns;
        while (load.Turns < target)
            await Task.Yield();
    }
}
