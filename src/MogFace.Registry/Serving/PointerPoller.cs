using Azure;
using Microsoft.Extensions.Logging;
using MogFace.Engine.Text;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Serving;

/// <summary>
/// Reads <c>models/pointer.json</c> with If-None-Match (a 304 costs nothing) and hands each new pointer to the
/// reconciler. Storage outages cost a logged warning per poll and nothing else; an unreadable pointer is reported
/// and, on an instance with nothing loaded, replaced by the last good version it can find.
/// </summary>
internal sealed class PointerPoller(ModelRegistry registry, ServedModels served, PointerHealth pointerHealth, InstanceStatus status,
    TimeProvider time, ILogger<PointerPoller> logger)
{
    private ETag? _etag; // only the polling loop reads and writes it

    /// <summary>One poll; true when storage answered. New pointers (or the fallback for a broken one) go to <paramref name="publish"/>.</summary>
    public async Task<bool> PollOnceAsync(Action<PointerDocument?> publish, CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            var read = await registry.ReadPointerAsync(_etag, cancellationToken);
            status.PollAnswered(time.GetUtcNow());
            switch (read.Status)
            {
                case PointerReadStatus.Changed:
                    _etag = read.ETag;
                    pointerHealth.Report(null);
                    publish(read.Document);
                    break;
                case PointerReadStatus.Missing:
                    _etag = null;
                    pointerHealth.Report(null);
                    break;
                case PointerReadStatus.Unreadable:
                    await OnUnreadablePointerAsync(read.Error!, publish, cancellationToken);
                    // Only once handled (the fallback may fail on storage and must then be tried again): later
                    // polls cost a 304 until someone replaces the broken blob.
                    _etag = read.ETag;
                    break;
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Storage outage or a garbled pointer: keep serving what is loaded, try again next poll.
            error = $"{ex.GetType().Name}: {ExceptionText.FirstLine(ex.Message)}";
            logger.LogWarning("Polling the model pointer failed; serving {Active} meanwhile: {Error}",
                served.Current.ActiveVersion ?? "nothing", error);
        }
        var previous = status.PollEnded(error);
        if (error is null && previous is not null)
            logger.LogInformation("Model registry reachable again");
        return error is null;
    }

    /// <summary>
    /// A running instance keeps serving what it loaded from the last good pointer; one with nothing loaded
    /// (a restart) serves the last good version it can find rather than answering 503 until a repair.
    /// </summary>
    private async Task OnUnreadablePointerAsync(string error, Action<PointerDocument?> publish, CancellationToken cancellationToken)
    {
        pointerHealth.Report($"models/{ModelRegistry.PointerBlob} is unreadable: {error}");
        if (served.IsReady)
        {
            logger.LogError("models/{Blob} is unreadable ({Error}); serving {Active} until it is repaired (activate a version)",
                ModelRegistry.PointerBlob, error, served.Current.ActiveVersion);
            return;
        }
        var fallback = await LastGoodTarget.FindAsync(registry, served.InstanceId, cancellationToken);
        logger.LogError("models/{Blob} is unreadable ({Error}); nothing loaded, so serving {Fallback} until it is repaired",
            ModelRegistry.PointerBlob, error, fallback?.Reason ?? "nothing (no registered version)");
        if (fallback is not null)
            publish(fallback);
    }
}
