using Microsoft.ML.OnnxRuntime;

namespace MogFace.Engine.Inference;

/// <summary>
/// The <see cref="RunOptions"/> of one request's network runs. Its own, because a shared one cannot be
/// terminated for one request without terminating every other; <c>Terminate</c> is set the moment the request's
/// token fires (a client that left, validation's time limit), so ONNX Runtime stops between kernels instead of
/// finishing a run nobody waits for, and the run surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class CancellableRun : IDisposable
{
    private readonly RunOptions _options = new();
    private readonly CancellationTokenRegistration _registration;
    private readonly CancellationToken _token;

    /// <exception cref="OperationCanceledException">The token has fired already: nothing is run.</exception>
    public CancellableRun(CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        _token = token;
        _registration = token.UnsafeRegister(static options => ((RunOptions)options!).Terminate = true, _options);
    }

    /// <summary><see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/> under these options.</summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(InferenceSession session, IReadOnlyCollection<string> inputNames,
        IReadOnlyCollection<OrtValue> inputs, IReadOnlyCollection<string> outputNames)
    {
        _token.ThrowIfCancellationRequested();
        try
        {
            return session.Run(_options, inputNames, inputs, outputNames);
        }
        catch (OnnxRuntimeException ex) when (_token.IsCancellationRequested)
        {
            throw Terminated(ex);
        }
    }

    /// <summary>The same into pre-allocated outputs.</summary>
    public void Run(InferenceSession session, IReadOnlyCollection<string> inputNames, IReadOnlyCollection<OrtValue> inputs,
        IReadOnlyCollection<string> outputNames, IReadOnlyCollection<OrtValue> outputs)
    {
        _token.ThrowIfCancellationRequested();
        try
        {
            session.Run(_options, inputNames, inputs, outputNames, outputs);
        }
        catch (OnnxRuntimeException ex) when (_token.IsCancellationRequested)
        {
            throw Terminated(ex);
        }
    }

    private OperationCanceledException Terminated(OnnxRuntimeException ex) =>
        new("The network run was terminated: its request was cancelled.", ex, _token);

    public void Dispose()
    {
        _registration.Dispose(); // waits for a callback in flight, so Terminate is never set on a disposed handle
        _options.Dispose();
    }
}
