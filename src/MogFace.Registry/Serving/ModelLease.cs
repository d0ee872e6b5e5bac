using MogFace.Engine;

namespace MogFace.Registry.Serving;

/// <summary>
/// A request's hold on the model it started with. The model is not disposed while any lease on it is
/// open, however many swaps happen meanwhile: dispose the lease when the request ends.
/// </summary>
public abstract class ModelLease : IDisposable
{
    public abstract FaceModel Model { get; }

    /// <summary>True when this request was routed to the canary.</summary>
    public abstract bool IsCanary { get; }

    public abstract void Dispose();
}
