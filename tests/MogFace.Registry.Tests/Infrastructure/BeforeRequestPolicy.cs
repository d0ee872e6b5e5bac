using Azure.Core;
using Azure.Core.Pipeline;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>
/// Runs a competing operation once, just before the first request that matches is sent: a deterministic
/// interleaving of two registry operations (the held request goes out only after the competitor finished).
/// </summary>
internal sealed class BeforeRequestPolicy : HttpPipelinePolicy
{
    private (Func<Request, bool> Match, Func<Task> Action)? _armed;
    private readonly Lock _gate = new();

    /// <summary>Before the next request that <paramref name="match"/>es, <paramref name="action"/> runs to completion (its own requests pass unhooked).</summary>
    public void Once(Func<Request, bool> match, Func<Task> action)
    {
        lock (_gate)
            _armed = (match, action);
    }

    public bool Fired { get; private set; }

    /// <summary>A PUT of <c>…/&lt;suffix&gt;</c> in the models container (a blob write).</summary>
    public static Func<Request, bool> PutOf(string suffix) =>
        request => request.Method == RequestMethod.Put && request.Uri.Path.EndsWith("/" + suffix, StringComparison.Ordinal);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Take(message)?.Invoke().GetAwaiter().GetResult();
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Take(message) is { } action)
            await action();
        await ProcessNextAsync(message, pipeline);
    }

    private Func<Task>? Take(HttpMessage message)
    {
        lock (_gate)
        {
            if (_armed is not { } armed || !armed.Match(message.Request))
                return null;
            _armed = null;
            Fired = true;
            return armed.Action;
        }
    }
}
