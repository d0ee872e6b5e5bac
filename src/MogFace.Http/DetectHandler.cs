using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SixLabors.ImageSharp;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Imaging;
using MogFace.Engine.Json;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Http;

// About 250 lines on purpose: the raw and multipart paths share one cheapest-first order of checks (query, type,
// model, admission, body, slot, lease, decode), and keeping both here keeps that order visible in one file.
/// <summary>
/// <c>POST /api/detect</c>: a raw image body (by Content-Type) or multipart/form-data with one or more files
/// (→ <c>{"results":[…]}</c>). Checks run cheapest first: query (422), Content-Type (415), model loaded
/// (503; 409 when the request is pinned to a version this instance does not serve), admission (503
/// <c>overloaded</c>, <see cref="DetectAdmission"/>), then the body is streamed into a capped buffer (413 as soon as
/// it passes the cap), a detection slot entered, the model leased, and the image decoded (400/415/422) and run.
/// </summary>
public static class DetectHandler
{
    public const string ModelVersionHeader = "X-Model-Version";
    public const string CanaryHeader = "X-Model-Canary";
    public const string ClientIdHeader = "X-Client-Id";
    public const string FaceCountHeader = "X-Face-Count";

    /// <summary>Most files one multipart request may carry.</summary>
    public const int MaxBatchImages = 16;

    /// <remarks>
    /// Records detect latency per served version on the MogFace meter (what <c>stats</c> in the health
    /// response and OpenTelemetry read); errors only for server-side failures (no model, a crash), so a
    /// client sending bad images does not trip the error-rate alert.
    /// </remarks>
    public static async Task<IResult> HandleAsync(HttpRequest request, IModelProvider models, IOptions<MogFaceOptions> options, MogFaceMetrics metrics, DetectionSlots slots, DetectAdmission admission, DecodeBudget decodeBudget, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var limits = settings.ImageLimits;
        string? servingVersion = null;
        using var activity = MogFaceTracing.Source.StartActivity(MogFaceTracing.DetectSpan);
        try
        {
            var query = DetectQuery.Parse(request);
            var contentType = ParseContentType(request);
            var multipart = DetectQuery.IsMultipart(contentType);
            if (!multipart)
                RequireImageType(contentType);

            // Cheap refusals first, without a lease: the lease is taken once the body is read and a detection
            // slot entered, so a slow client never holds a model version (nor delays the disposal of a swapped one).
            if (LeaseProblem(request, query, models, settings, metrics) is { } early)
                return early;

            using var admitted = await admission.EnterAsync(request.ContentLength, cancellationToken);
            if (!admitted.IsAcquired)
                return Problems.Busy(request.HttpContext, DetectAdmission.RetryAfter,
                    $"This instance is serving {admission.Limit} detect requests with {admission.QueueLimit} more waiting; retry shortly.");

            RequestBodyLimit.Lift(request.HttpContext, multipart ? settings.MaxBatchBytes + MultipartImages.Overhead : limits.MaxBytes + 1);
            var files = multipart
                ? await MultipartImages.ReadAsync(request, contentType!, limits, settings.MaxBatchBytes, MaxBatchImages, cancellationToken)
                : [new ImagePart("image", contentType!.MediaType.Value, await PooledBody.ReadAsync(request.Body, request.ContentLength, limits.MaxBytes, "The image", cancellationToken))];
            try
            {
                if (!multipart && files[0].Body.Length == 0)
                    throw new HttpProblemException(StatusCodes.Status400BadRequest, Problems.EmptyBody, "The request body is empty; send the image bytes.");
                // The body is read (I/O) before a detection slot is taken; decode and inference hold one. Who goes
                // first among waiters follows the images' size (DetectionSlots).
                using var slot = await slots.EnterAsync(files.Sum(f => HeaderPixels(f.Body)), cancellationToken);
                using var lease = AcquireLease(request, query, models);
                if (lease is null)
                    return LeaseProblem(request, query, models, settings, metrics, afterBody: true)!;
                servingVersion = Announce(request, query, lease, models, activity);
                // What the decodes will cost, from the headers and the model's input size (a JPEG decodes at the
                // DCT scale the model needs), is taken from the budget without waiting, or refused now.
                var sampling = query.Annotate ? null : lease.Model.Sampling(query.Options);
                using var decoding = decodeBudget.TryTake(files.Select(f => ImageIntake.DecodedPixels(f.Body.Memory, sampling)));
                if (!decoding.IsAcquired)
                    return DecodeBudgetSpent(request, decodeBudget);
                if (!multipart)
                    return DetectOne(request, files[0].Body, query, lease, models.InstanceId, limits, metrics, files[0].ContentType, cancellationToken);
                if (query.Annotate)
                {
                    if (files.Count != 1)
                        throw HttpProblemException.Invalid($"An annotated image is returned for exactly one file; this request has {files.Count}.");
                    return DetectOne(request, files[0].Body, query, lease, models.InstanceId, limits, metrics, files[0].ContentType, cancellationToken, files[0].Name);
                }
                var results = new List<DetectionResult>(files.Count);
                foreach (var file in files)
                {
                    try
                    {
                        using var image = Decode(() => ImageIntake.DecodeForDetection(file.Body.Memory, limits, sampling), out var clock, cancellationToken);
                        var result = lease.Model.Detect(image, query.Options, models.InstanceId, clock, cancellationToken);
                        metrics.RecordDetect(result.ModelVersion, result.TimingsMs.Total);
                        MogFaceTracing.RecordStages(clock.StartedAt, result.TimingsMs, result.Faces.Count);
                        results.Add(result);
                    }
                    catch (ImageInputException ex)
                    {
                        return Problems.From(ex, $"file '{file.Name}'");
                    }
                }
                return SerializedJson(new BatchResponse(results));
            }
            finally
            {
                foreach (var file in files)
                    file.Body.Dispose();
            }
        }
        catch (Exception ex) when (CountServerFailure(ex, request.HttpContext, metrics, servingVersion, activity))
        {
            throw; // never reached: the filter only records; the host's ExceptionProblems answers
        }
    }

    /// <summary>
    /// A server-side failure is counted for the error-rate alert and marked on the trace here, where the served
    /// version is known; the answer (500 problem+json) is the host's one mapping, <see cref="ExceptionProblems"/>.
    /// </summary>
    private static bool CountServerFailure(Exception ex, HttpContext context, MogFaceMetrics metrics, string? version, Activity? activity)
    {
        if (ExceptionProblems.IsServerFailure(ex, context))
        {
            metrics.RecordDetectError(version, ex.GetType().Name);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
        }
        return false;
    }

    /// <summary>The header's own size (not the DCT-scaled decode): what the model's resolution policy starts from.</summary>
    private static long HeaderPixels(PooledBody body) => ImageIntake.DecodedPixels(body.Memory, sampled: null);

    private static IResult DecodeBudgetSpent(HttpRequest request, DecodeBudget budget) =>
        Problems.Busy(request.HttpContext, DetectAdmission.RetryAfter,
            $"This instance is decoding as many large images as it allows ({budget.BudgetPixels} pixels of images over {budget.LargeImagePixels} pixels at once); retry shortly, or send the image at a lower resolution.");

    private static ModelLease? AcquireLease(HttpRequest request, DetectQuery query, IModelProvider models) =>
        query.Version is { } pinned ? models.TryAcquireVersion(pinned) : models.TryAcquire(ClientId(request));

    /// <summary>
    /// 409 for a version this instance does not serve, 503 when none is loaded yet; null when a lease can be had.
    /// Asked before admission (no lease held), and again when the lease, taken after the body, was not had.
    /// </summary>
    private static IResult? LeaseProblem(HttpRequest request, DetectQuery query, IModelProvider models, MogFaceOptions settings, MogFaceMetrics metrics, bool afterBody = false)
    {
        if (query.Version is { } pinned && models.IsReady && (afterBody || !models.LoadedVersions.Contains(pinned)))
            return Problems.NotLoaded(pinned, models);
        if (!models.IsReady || afterBody)
        {
            metrics.RecordDetectError(null, "not-ready");
            return Problems.NotReady(request.HttpContext, settings.PollInterval, models.InstanceId);
        }
        return null;
    }

    /// <summary>Names the serving version in the response headers and the trace; returns it.</summary>
    private static string Announce(HttpRequest request, DetectQuery query, ModelLease lease, IModelProvider models, Activity? activity)
    {
        var version = lease.Model.Version;
        activity?.SetTag(MogFaceTracing.ModelVersion, version)
            .SetTag(MogFaceTracing.Canary, lease.IsCanary)
            .SetTag(MogFaceTracing.Pinned, query.Version is not null)
            .SetTag(MogFaceTracing.Instance, models.InstanceId);
        request.HttpContext.Response.Headers[ModelVersionHeader] = version;
        if (lease.IsCanary)
            request.HttpContext.Response.Headers[CanaryHeader] = "true";
        return version;
    }

    /// <summary>
    /// One image: for JSON decoded only as finely as the model samples it (a JPEG at a reduced DCT scale); for an
    /// annotated answer at full size, drawn on and encoded.
    /// </summary>
    private static IResult DetectOne(HttpRequest request, PooledBody body, DetectQuery query, ModelLease lease, string instance, ImageLimits limits, MogFaceMetrics metrics, string? inputType, CancellationToken cancellationToken, string? part = null)
    {
        DecodedImage image;
        StageClock clock;
        try
        {
            var sampling = query.Annotate ? null : lease.Model.Sampling(query.Options);
            image = Decode(() => ImageIntake.DecodeForDetection(body.Memory, limits, sampling), out clock, cancellationToken);
        }
        catch (ImageInputException ex)
        {
            return Problems.From(ex, part is null ? null : $"file '{part}'");
        }
        using (image)
        {
            var result = lease.Model.Detect(image, query.Options, instance, clock, cancellationToken);
            metrics.RecordDetect(result.ModelVersion, result.TimingsMs.Total);
            MogFaceTracing.RecordStages(clock.StartedAt, result.TimingsMs, result.Faces.Count);
            if (!query.Annotate)
                return SerializedJson(result);

            using var drawn = image.ToImage();
            FaceAnnotator.Draw(drawn, result.Faces);
            var mediaType = query.AnnotateMediaType
                ?? (string.Equals(inputType, "image/png", StringComparison.OrdinalIgnoreCase) ? "image/png" : "image/jpeg");
            using var encoded = new MemoryStream();
            if (mediaType == "image/png")
                drawn.SaveAsPng(encoded);
            else
                drawn.SaveAsJpeg(encoded);
            request.HttpContext.Response.Headers[FaceCountHeader] = result.Faces.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Bytes(encoded.ToArray(), mediaType);
        }
    }

    /// <summary>
    /// JSON written here, inside the handler's error handling, not later by the host: a value that cannot be
    /// serialised (a non-finite number a model let through) becomes a problem+json 500, never an empty one.
    /// </summary>
    private static IResult SerializedJson<T>(T value) =>
        Results.Bytes(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, MogFaceJson.Options), "application/json; charset=utf-8");

    /// <summary>Decodes one image, unless the client has left already (a decode can cost seconds).</summary>
    private static T Decode<T>(Func<T> decode, out StageClock clock, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        clock = new StageClock();
        var start = StageClock.Now();
        var image = decode();
        clock.Decode = StageClock.Since(start);
        return image;
    }

    private static string? ClientId(HttpRequest request) =>
        request.Headers.TryGetValue(ClientIdHeader, out var id) && !string.IsNullOrWhiteSpace(id) ? id.ToString() : null;

    private static MediaTypeHeaderValue? ParseContentType(HttpRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.ContentType))
            throw new HttpProblemException(StatusCodes.Status415UnsupportedMediaType, Problems.UnsupportedMediaType,
                $"Content-Type is missing; send {string.Join(", ", ImageIntake.SupportedMediaTypes)} or multipart/form-data.");
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
            throw new HttpProblemException(StatusCodes.Status415UnsupportedMediaType, Problems.UnsupportedMediaType,
                $"Content-Type '{request.ContentType}' cannot be parsed.");
        return type;
    }

    private static void RequireImageType(MediaTypeHeaderValue? type)
    {
        var mediaType = type?.MediaType.Value;
        if (mediaType is null || !ImageIntake.SupportedMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
            throw new HttpProblemException(StatusCodes.Status415UnsupportedMediaType, Problems.UnsupportedMediaType,
                $"Content-Type '{mediaType}' is not accepted; send {string.Join(", ", ImageIntake.SupportedMediaTypes)} or multipart/form-data.");
    }
}

/// <summary>The multipart answer: one detect response per file, in request order.</summary>
public sealed record BatchResponse(IReadOnlyList<DetectionResult> Results);
