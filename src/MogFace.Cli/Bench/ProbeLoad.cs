using System.Diagnostics;

namespace MogFace.Cli.Bench;

/// <summary>
/// HTTP traffic at a fixed rate while the in-process engine is measured, so that the cores carry what the HTTP side
/// puts on them besides detection: the client's sends, the server's sockets, Kestrel, the JSON. On a machine whose
/// cores the client shares with the server, that work does not only take its own CPU: it preempts inference and
/// leaves it colder caches. The in-process engine measured beside it is the ceiling an HTTP server can reach here.
/// The load is open: a request starts every 1 ÷ rate seconds whether or not the ones before have answered (at most
/// <see cref="MaxInFlight"/> at once), so a slow answer does not lower the rate the way it would a client that waits.
/// </summary>
internal sealed class ProbeLoad : IAsyncDisposable
{
    /// <summary>Requests in flight past which the load skips its turn rather than pile up on a stalled server.</summary>
    internal const int MaxInFlight = 64;

    private readonly CancellationTokenSource _stop;
    private readonly Task _schedule;
    private readonly List<Task> _requests = [];
    private readonly List<double> _latencies = [];
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _inFlight;
    private long _turns;

    private ProbeLoad(Func<CancellationToken, Task> send, double requestsPerSecond, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _schedule = Task.Run(() => ScheduleAsync(send, TimeSpan.FromSeconds(1 / requestsPerSecond)));
    }

    /// <summary>Starts calling <paramref name="send"/> <paramref name="requestsPerSecond"/> times a second.</summary>
    public static ProbeLoad Start(Func<CancellationToken, Task> send, double requestsPerSecond, CancellationToken cancellationToken) =>
        requestsPerSecond > 0 && double.IsFinite(requestsPerSecond)
            ? new ProbeLoad(send, requestsPerSecond, cancellationToken)
            : throw new ArgumentOutOfRangeException(nameof(requestsPerSecond), requestsPerSecond, "The probe needs a positive rate.");

    /// <summary>Probe requests answered so far.</summary>
    public int Answered
    {
        get { lock (_latencies) return _latencies.Count; }
    }

    /// <summary>Turns of the schedule gone by, those skipped at the in-flight bound included.</summary>
    public long Turns => Interlocked.Read(ref _turns);

    /// <summary>The answered requests' round trips in milliseconds.</summary>
    public double[] Latencies()
    {
        lock (_latencies) return [.. _latencies];
    }

    private async Task ScheduleAsync(Func<CancellationToken, Task> send, TimeSpan interval)
    {
        var ct = _stop.Token;
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            var wait = interval * i - Stopwatch.GetElapsedTime(_started);
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, ct);
            Interlocked.Increment(ref _turns);
            if (Volatile.Read(ref _inFlight) >= MaxInFlight)
                continue;
            Interlocked.Increment(ref _inFlight);
            lock (_requests)
                _requests.Add(SendOneAsync(send, ct));
        }
    }

    private async Task SendOneAsync(Func<CancellationToken, Task> send, CancellationToken ct)
    {
        try
        {
            var start = Stopwatch.GetTimestamp();
            await send(ct);
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            lock (_latencies)
                _latencies.Add(ms);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Stops the load and waits for the requests in flight; a probe request that failed surfaces here.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _schedule;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping cancels the wait for the next turn.
        }
        Task[] requests;
        lock (_requests)
            requests = [.. _requests];
        try
        {
            await Task.WhenAll(requests);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping cancels the requests in flight. One that failed (a non-success status) makes WhenAll faulted
            // rather than cancelled, so that failure is what surfaces.
        }
        finally
        {
            _stop.Dispose();
        }
    }
}
