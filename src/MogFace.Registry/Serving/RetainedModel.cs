using MogFace.Engine.Inference;
using MogFace.Engine;
using MogFace.Registry.Ingestion;

namespace MogFace.Registry.Serving;

/// <summary>
/// A loaded model with a reference count: one reference for being served (released by <see cref="Retire"/>)
/// plus one per open lease. The model is disposed exactly when the count reaches zero: retired and the last
/// request done, never earlier (pytorch/serve#1101) and never later than that request (triton#3320).
/// </summary>
internal sealed class RetainedModel(FaceModel model, Action<RetainedModel> disposed)
{
    private int _references = 1;
    private int _retired;

    public FaceModel Model { get; } = model;
    public string Version => Model.Version;
    public bool IsRetired => Volatile.Read(ref _retired) != 0;
    public int Leases => Math.Max(0, Volatile.Read(ref _references) - (IsRetired ? 0 : 1));

    /// <summary>Adds a reference unless the count already reached zero (then the caller must look again).</summary>
    public bool TryRetain()
    {
        var seen = Volatile.Read(ref _references);
        while (seen > 0)
        {
            var previous = Interlocked.CompareExchange(ref _references, seen + 1, seen);
            if (previous == seen)
                return true;
            seen = previous;
        }
        return false;
    }

    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            Model.Dispose();
            NativeHeap.TrimInBackground();
            disposed(this);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException($"Model {Version} released more often than retained.");
        }
    }

    /// <summary>Drops the serving reference (once); the model goes when its last lease does.</summary>
    public void Retire()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0)
            Release();
    }
}
