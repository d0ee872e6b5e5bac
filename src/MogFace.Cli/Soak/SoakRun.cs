using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using MogFace.Engine.Statistics;

namespace MogFace.Cli.Soak;

/// <summary>
/// The soak of docs/benchmarks.md: a baseline with the good clients alone (the measured normal client among them),
/// then the abuse phase — the same good clients, abusive clients cycling through <see cref="AbusiveRequests"/>, and
/// model swaps spread over it — while the server's RSS is sampled every second from /proc.
/// </summary>
internal sealed class SoakRun(HttpClient http, SoakSettings settings)
{
    private readonly ConcurrentQueue<(double At, double Ms, bool Abuse)> _normal = new();
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly ConcurrentQueue<(double At, long RssKb)> _rss = new();
    private readonly Stopwatch _clock = new();
    private long _goodRequests, _goodFailures;
    private int _swaps;

    public async Task<SoakReport> RunAsync(CancellationToken cancellationToken)
    {
        var abusive = new AbusiveRequests(settings.Photo, settings.FunctionKey);
        _clock.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = SampleRssAsync(stop.Token);

        // Baseline: the good clients alone. Then the same good clients beside the abusive ones: the normal client's
        // p50 in the two phases is the ratio issue 12 bounds.
        var goodClients = Math.Max(1, settings.Clients / 3);
        using (var baseline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            baseline.CancelAfter(settings.Baseline);
            await Task.WhenAll(GoodClients(goodClients, abusePhase: false, baseline.Token));
        }

        var abuseEnds = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var abuseDuration = settings.Duration - settings.Baseline;
        abuseEnds.CancelAfter(abuseDuration);
        var clients = GoodClients(goodClients, abusePhase: true, abuseEnds.Token);
        for (var i = goodClients; i < settings.Clients; i++)
            clients.Add(AbusiveClientAsync(abusive, offset: i, abuseEnds.Token));
        clients.Add(SwapperAsync(abuseDuration, abuseEnds.Token));
        await Task.WhenAll(clients);
        abuseEnds.Dispose();

        await stop.CancelAsync();
        await sampler;
        return Report();
    }

    /// <summary>The measured normal client, and the others sending the large photo.</summary>
    private List<Task> GoodClients(int count, bool abusePhase, CancellationToken stopAt) =>
        Enumerable.Range(0, count)
            .Select(i => GoodClientAsync(i == 0 ? settings.Photo : settings.LargePhoto, measured: i == 0, abusePhase, stopAt))
            .ToList();

    private async Task GoodClientAsync(byte[] photo, bool measured, bool abusePhase, CancellationToken stopAt)
    {
        while (!stopAt.IsCancellationRequested)
        {
            using var content = new ByteArrayContent(photo);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/detect") { Content = content };
            request.Headers.Add("x-functions-key", settings.FunctionKey);
            var started = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _goodRequests);
            try
            {
                // A good request is never abandoned at the phase's end: it counts whatever it takes.
                using var response = await http.SendAsync(request, CancellationToken.None);
                await response.Content.LoadIntoBufferAsync(CancellationToken.None);
                if ((int)response.StatusCode != 200)
                {
                    Interlocked.Increment(ref _goodFailures);
                    _unexpected.Enqueue($"good request: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                    continue;
                }
            }
            catch (HttpRequestException ex)
            {
                Interlocked.Increment(ref _goodFailures);
                _unexpected.Enqueue($"good request: {ex.Message}");
                continue;
            }
            if (measured)
                _normal.Enqueue((_clock.Elapsed.TotalSeconds, Stopwatch.GetElapsedTime(started).TotalMilliseconds, abusePhase));
        }
    }

    private async Task AbusiveClientAsync(AbusiveRequests abusive, int offset, CancellationToken stopAt)
    {
        for (var n = offset; !stopAt.IsCancellationRequested; n++)
        {
            var kind = abusive.Kinds[n % abusive.Kinds.Count];
            using var request = kind.Build();
            using var abort = new CancellationTokenSource();
            if (kind.AbortEarly)
                abort.CancelAfter(TimeSpan.FromMilliseconds(50));
            try
            {
                using var response = await http.SendAsync(request, abort.Token);
                await response.Content.LoadIntoBufferAsync(abort.Token);
                var status = (int)response.StatusCode;
                _outcomes.AddOrUpdate($"{kind.Name} {status}", 1, (_, c) => c + 1);
                if (!kind.Expected.Contains(status))
                    _unexpected.Enqueue($"{kind.Name}: {status} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
            }
            catch (OperationCanceledException) when (kind.AbortEarly)
            {
                _outcomes.AddOrUpdate($"{kind.Name} aborted", 1, (_, c) => c + 1);
            }
            catch (HttpRequestException ex)
            {
                // The server may close a connection it refused early (413 before the body is read): not a failure of the
                // service, but recorded apart from the statuses.
                _outcomes.AddOrUpdate($"{kind.Name} connection-closed", 1, (_, c) => c + 1);
                if (kind.Expected.Length > 0 && !kind.Expected.Contains(413))
                    _unexpected.Enqueue($"{kind.Name}: {ex.Message}");
            }
        }
    }

    /// <summary>Activates the versions in turn, <see cref="SoakSettings.Swaps"/> times evenly over the abuse phase.</summary>
    private async Task SwapperAsync(TimeSpan abuseDuration, CancellationToken stopAt)
    {
        var every = abuseDuration / (settings.Swaps + 1);
        for (var i = 0; i < settings.Swaps; i++)
        {
            try
            {
                await Task.Delay(every, stopAt);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var version = settings.SwapVersions[(i + 1) % settings.SwapVersions.Count];
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/models/{Uri.EscapeDataString(version)}/activate");
            request.Headers.Add("x-functions-key", settings.AdminKey);
            using var response = await http.SendAsync(request, CancellationToken.None);
            if (!response.IsSuccessStatusCode)
                _unexpected.Enqueue($"activate {version}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
            else
                Interlocked.Increment(ref _swaps);
        }
    }

    private async Task SampleRssAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            if (ProcessMemory.RssKb(settings.ServerPid) is { } rss)
                _rss.Enqueue((_clock.Elapsed.TotalSeconds, rss));
        }
        while (await WaitAsync(timer, stop));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private SoakReport Report()
    {
        var baseline = _normal.Where(s => !s.Abuse).Select(s => s.Ms).ToArray();
        var abuse = _normal.Where(s => s.Abuse).Select(s => s.Ms).ToArray();
        var rss = _rss.ToArray();
        var warmedAt = settings.Baseline.TotalSeconds + settings.Warmup.TotalSeconds;
        var afterWarmup = rss.FirstOrDefault(s => s.At >= warmedAt).RssKb;
        return new SoakReport(
            DurationSeconds: _clock.Elapsed.TotalSeconds,
            Clients: settings.Clients,
            Swaps: _swaps,
            GoodRequests: Interlocked.Read(ref _goodRequests),
            GoodFailures: Interlocked.Read(ref _goodFailures),
            NormalP50BaselineMs: NearestRank.Percentile(baseline, 0.5),
            NormalP50AbuseMs: NearestRank.Percentile(abuse, 0.5),
            NormalRequestsBaseline: baseline.Length,
            NormalRequestsAbuse: abuse.Length,
            RssAfterWarmupKb: afterWarmup,
            RssEndKb: rss.Length > 0 ? rss[^1].RssKb : 0,
            RssPeakKb: ProcessMemory.PeakKb(settings.ServerPid) ?? (rss.Length > 0 ? rss.Max(s => s.RssKb) : 0),
            AbusiveOutcomes: new SortedDictionary<string, int>(_outcomes),
            Unexpected: _unexpected.Take(20).ToArray(),
            UnexpectedCount: _unexpected.Count);
    }
}
