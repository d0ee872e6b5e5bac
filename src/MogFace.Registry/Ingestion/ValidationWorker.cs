using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MogFace.Engine.Families;
using MogFace.Registry.Configuration;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Ingestion;

/// <summary>
/// Runs validations off the caller's thread, at most <see cref="MogFaceOptions.MaxConcurrentValidations"/> at
/// once, each within <see cref="MogFaceOptions.ValidationTimeout"/>. Before it validations ran one at a time
/// without a limit: a model whose graph loops 4e9 times held every later upload and the container scan until
/// restart (issue 12, case 6). At the limit the validation's token fires, which terminates its network run
/// (<see cref="Engine.Inference.CancellableRun"/>), and the model is rejected as
/// <see cref="RejectionCodes.ValidationTimeout"/>. The caller is answered at the limit even if the validation
/// thread is stuck where ONNX Runtime cannot be interrupted (session creation); its slot is given back only
/// when that thread ends, so such threads never exceed the concurrency limit.
/// </summary>
internal sealed class ValidationWorker(ModelValidator validator, IOptions<MogFaceOptions> options, TimeProvider time, ILogger<ValidationWorker> logger)
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrentValidations), Math.Max(1, options.Value.MaxConcurrentValidations));

    public async Task<ValidationResult> ValidateAsync(byte[] onnx, ModelManifest? manifest, string version, CancellationToken cancellationToken)
    {
        var timeout = options.Value.ValidationTimeout;
        await _slots.WaitAsync(cancellationToken);
        var limit = new CancellationTokenSource(timeout, time);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var validation = Task.Run(() => validator.Validate(onnx, manifest, version, linked.Token), CancellationToken.None);
        _ = validation.ContinueWith(_ =>
        {
            _slots.Release();
            linked.Dispose();
            limit.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            return await validation.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Validation of {Version} passed its time limit of {Timeout}; rejected", version, timeout);
            var reason = $"Validation did not finish within the time limit ({timeout:c}, MogFace__ValidationTimeout): the model runs too long on the validation inputs.";
            return new ValidationResult(new ValidationReport(false, "CPU", 0, 0, false, null, null, reason),
                RejectionCodes.ValidationTimeout, reason, null, null);
        }
    }
}
