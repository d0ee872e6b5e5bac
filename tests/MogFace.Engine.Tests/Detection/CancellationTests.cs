using Microsoft.ML.OnnxRuntime;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Engine.Families.MogFaceLarge;
using MogFace.Engine.Inference;
using MogFace.Engine.Tests.Families.MogFaceLarge;
using MogFace.Tests.Shared;

namespace MogFace.Engine.Tests.Detection;

/// <summary>
/// Issue 12, case 14: inference is cancellable per request. A run in progress is terminated through its own
/// RunOptions when the token fires; the MogFace TTA plan starts no further pass; a detect whose client left
/// before it started runs no network at all. How far each got is read from StageClock.NetworkRuns, not timing.
/// </summary>
public sealed class CancellationTests
{
    [Fact]
    public void A_run_in_progress_is_terminated_when_its_token_fires()
    {
        using var session = new InferenceSession(AdversarialModels.Get(AdversarialModels.HugeLoop));
        using var input = OrtValue.CreateTensorValueFromMemory(new float[128 * 128 * 3], [1, 128, 128, 3]);
        using var cancellation = new CancellationTokenSource();
        using var run = new CancellableRun(cancellation.Token);
        // 4e9 loop iterations: without Terminate this run lasts hours and the test never ends.
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(200));

        var stopped = Assert.Throws<OperationCanceledException>(() =>
            run.Run(session, ["input:0"], [input], [session.OutputNames[0]]).Dispose());
        Assert.Equal(cancellation.Token, stopped.CancellationToken);
        Assert.IsType<OnnxRuntimeException>(stopped.InnerException);
    }

    [Fact]
    public void Tta_starts_no_pass_after_the_request_is_cancelled()
    {
        using var session = new InferenceSession(MogFaceTestFiles.Model("bright"));
        Assert.Null(MogFaceFamily.Bind(ModelSignature.From(session), out var binding));
        using var cancellation = new CancellationTokenSource();
        // The pipeline reads its clock once when TTA starts and once before each later pass: the second read is
        // "between pass 1 and pass 2", where the client is made to leave.
        using var pipeline = new MogFacePipeline(session, binding, ModelManifest.Empty, new CancellingClock(cancellation, atRead: 2));
        var image = MogFaceImages.BlackWithWhite(200, 160, 41, 21, 44, 24);
        var clock = new StageClock();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            pipeline.DetectMultiScale(image, new DetectionOptions { Tta = true }, clock, out _, cancellation.Token));

        Assert.Equal(1, clock.NetworkRuns);
        Assert.True(MogFaceTtaPlan.For(200, 160, MogFaceTtaOptions.Default).Count > 1); // there were passes left to skip
    }

    [Fact]
    public void A_detect_whose_client_left_before_it_started_runs_no_network()
    {
        using var model = FaceModel.Load(new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }),
            File.ReadAllBytes(RepoPaths.BlazeFaceFront), null, "front", cpuOnly: true);
        var image = MogFaceImages.BlackWithWhite(200, 160, 41, 21, 44, 24);
        var clock = new StageClock();

        Assert.ThrowsAny<OperationCanceledException>(() => model.DetectFaces(image, DetectionOptions.Default, clock, new CancellationToken(canceled: true)));
        Assert.Equal(0, clock.NetworkRuns);

        model.DetectFaces(image, DetectionOptions.Default, clock, CancellationToken.None);
        Assert.Equal(1, clock.NetworkRuns);
    }

    /// <summary>A monotonic clock (1 s a read) that cancels <paramref name="cancellation"/> on read number <paramref name="atRead"/>.</summary>
    private sealed class CancellingClock(CancellationTokenSource cancellation, int atRead) : TimeProvider
    {
        private int _reads;
        public override long TimestampFrequency => 1;
        public override long GetTimestamp()
        {
            var read = Interlocked.Increment(ref _reads);
            if (read == atRead)
                cancellation.Cancel();
            return read;
        }
    }
}
