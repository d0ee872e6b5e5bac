using System.Diagnostics;
using MogFace.Engine;
using MogFace.Engine.Detection;

namespace MogFace.Registry.Telemetry;

/// <summary>
/// The "MogFace" ActivitySource: a <c>mogface.detect</c> span per request with the model version as an
/// attribute, and one child span per stage (decode, preprocess, inference, postprocess) for each image; a
/// <c>mogface.ingest</c> span per upload; a <c>mogface.swap</c> span per attempt to apply a pointer.
/// </summary>
public static class MogFaceTracing
{
    public const string SourceName = "MogFace";
    public const string DetectSpan = "mogface.detect";
    public const string ModelVersion = "mogface.model.version";
    public const string Canary = "mogface.model.canary";
    public const string Pinned = "mogface.model.pinned";
    public const string Instance = "mogface.instance";
    public const string Faces = "mogface.faces";

    /// <summary>Ingestion of one upload (blob trigger, container scan, admin upload), with its outcome.</summary>
    public const string IngestSpan = "mogface.ingest";
    public const string WeightsBlob = "mogface.weights.blob";
    public const string Outcome = "mogface.outcome";

    /// <summary>
    /// One attempt to bring an instance to a new pointer, with a <c>mogface.load</c> child per version it loads
    /// and <c>mogface.download</c>, <c>mogface.session</c>, <c>mogface.warmup</c> under that.
    /// </summary>
    public const string SwapSpan = "mogface.swap";
    public const string LoadSpan = "mogface.load";
    public const string CanaryVersion = "mogface.model.canary_version";

    public static readonly string[] Stages = ["decode", "preprocess", "inference", "postprocess"];

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>
    /// Child spans of the current <c>mogface.detect</c> span for one image's stages, laid end to end from
    /// <paramref name="startedAt"/> with the durations the engine measured (StageClock), so the families'
    /// pipelines need no tracing code of their own. Nothing when no detect span is being recorded.
    /// </summary>
    public static void RecordStages(DateTimeOffset startedAt, StageTimings timings, int faces)
    {
        if (Activity.Current is not { OperationName: DetectSpan } parent)
            return;
        parent.SetTag(Faces, faces);
        var at = startedAt.UtcDateTime;
        double[] durations = [timings.Decode, timings.Preprocess, timings.Inference, timings.Postprocess];
        for (var i = 0; i < Stages.Length; i++)
        {
            using var stage = Source.StartActivity("mogface." + Stages[i], ActivityKind.Internal, parent.Context, startTime: at);
            at += TimeSpan.FromMilliseconds(durations[i]);
            if (stage is null)
                continue;
            stage.SetTag(ModelVersion, parent.GetTagItem(ModelVersion));
            stage.SetEndTime(at);
        }
    }
}
