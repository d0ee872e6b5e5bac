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
using SixLabors.ImageSharp.PixelFormats;
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
    public static async Task<IResult> HandleAsync(HttpRequest request, IModelProvider models, IOptions<MogFaceOptions> options, MogFaceMetrics metrics, DetectionGate gate, DetectAdmission admission, DecodeBudget decodeBudget, CancellationToken cancellationToken)
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

            using var admitted = await admission.EnterAsync(cancellationToken);
            if (!admitted.IsAcquired)
                return Problems.Busy(request.HttpContext, DetectAdmission.RetryAfter,
                    $"This instance is serving {admission.Limit} detect requests with {admission.QueueLimit} more waiting; retry shortly.");

            LiftServerBodyLimit(request.HttpContext, multipart ? settings.MaxBatchBytes + MultipartOverhead : limits.MaxBytes + 1);
            var files = multipart
                ? await ReadMultipartAsync(request, contentType!, limits, settings.MaxBatchBytes, cancellationToken)
                : [new Part("image", contentType!.MediaType.Value, await PooledBody.ReadAsync(request.Body, request.ContentLength, limits.MaxBytes, "The image", cancellationToken))];
            try
            {
                if (!multipart && files[0].Body.Length == 0)
                    throw new HttpProblemException(StatusCodes.Status400BadRequest, Problems.EmptyBody, "The request body is empty; send the image bytes.");
                using var decoding = decodeBudget.TryTake(files.Select(f => ImageIntake.HeaderPixels(f.Body.Memory)));
                if (!decoding.IsAcquired)
                    return DecodeBudgetSpent(request, decodeBudget);
                // The body is read (I/O) outside the gate; decode and inference inside it.
                using var slot = await gate.EnterAsync(cancellationToken);
                using var lease = AcquireLease(request, query, models);
                if (lease is null)
                    return LeaseProblem(request, query, models, settings, metrics, afterBody: true)!;
                servingVersion = Announce(request, query, lease, models, activity);
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
                        using var image = Decode(file.Body, limits, out var clock, cancellationToken);
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
        catch (HttpProblemException ex)
        {
            return Problems.From(ex);
        }
        catch (ImageInputException ex)
        {
            return Problems.From(ex);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusal (its body size limit, a truncated chunked body…).
            var status = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? 413 : 400;
            return Problems.Create(status, status == 413 ? Problems.TooLarge : Problems.MalformedRequest, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A server-side failure: counted for the error-rate alert, and answered as problem+json like every
            // other error (never the host's empty 500), without internals beyond the exception type.
            metrics.RecordDetectError(servingVersion, ex.GetType().Name);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            request.HttpContext.RequestServices?.GetService<ILoggerFactory>()?
                .CreateLogger(typeof(DetectHandler)).LogError(ex, "Detect failed on {Version}", servingVersion);
            return Problems.Create(StatusCodes.Status500InternalServerError, Problems.InternalError,
                $"The detection failed on the server ({ex.GetType().Name}); the failure is logged.",
                new Dictionary<string, object?> { ["modelVersion"] = servingVersion });
        }
    }

    /// <summary>Room for multipart headers and boundaries on top of <see cref="MogFaceOptions.MaxBatchBytes"/>.</summary>
    private const long MultipartOverhead = 1024 * 1024;

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

    private static IResult DetectOne(HttpRequest request, PooledBody body, DetectQuery query, ModelLease lease, string instance, ImageLimits limits, MogFaceMetrics metrics, string? inputType, CancellationToken cancellationToken, string? part = null)
    {
        Image<Rgb24> image;
        StageClock clock;
        try
        {
            image = Decode(body, limits, out clock, cancellationToken);
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

            FaceAnnotator.Draw(image, result.Faces);
            var mediaType = query.AnnotateMediaType
                ?? (string.Equals(inputType, "image/png", StringComparison.OrdinalIgnoreCase) ? "image/png" : "image/jpeg");
            using var encoded = new MemoryStream();
            if (mediaType == "image/png")
                image.SaveAsPng(encoded);
            else
                image.SaveAsJpeg(encoded);
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
    private static Image<Rgb24> Decode(PooledBody body, ImageLimits limits, out StageClock clock, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        clock = new StageClock();
        var start = StageClock.Now();
        var image = ImageIntake.Decode(body.Memory, limits);
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

    /// <summary>The handler enforces its own caps while reading; Kestrel's default (30 MB) would only get in the way of a batch.</summary>
    private static void LiftServerBodyLimit(HttpContext context, long limit)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
    }

    private sealed record Part(string Name, string? ContentType, PooledBody Body);

    private static async Task<List<Part>> ReadMultipartAsync(HttpRequest request, MediaTypeHeaderValue contentType, ImageLimits limits, long batchCap, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw new HttpProblemException(StatusCodes.Status400BadRequest, Problems.MalformedRequest, "multipart/form-data without a boundary.");
        var totalCap = Math.Min(batchCap, limits.MaxBytes * MaxBatchImages);
        if (request.ContentLength > totalCap + MultipartOverhead)
            throw HttpProblemException.TooLarge(totalCap, "The multipart body");
        var buffered = 0L;
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = limits.MaxBytes + 1 };
        var parts = new List<Part>();
        try
        {
            var sections = 0;
            while (true)
            {
                MultipartSection? section;
                try
                {
                    section = await reader.ReadNextSectionAsync(cancellationToken);
                    if (section is null)
                        break;
                    if (++sections > MaxBatchImages * 4)
                        throw new HttpProblemException(StatusCodes.Status413PayloadTooLarge, Problems.TooLarge, "The multipart body has too many sections.");
                    var disposition = section.GetContentDispositionHeader();
                    var isFile = disposition is not null && (disposition.IsFileDisposition() || section.ContentType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true);
                    if (!isFile)
                    {
                        await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                        continue;
                    }
                    var name = disposition!.FileName.HasValue ? HeaderUtilities.RemoveQuotes(disposition.FileName).Value! : HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? $"#{parts.Count + 1}";
                    if (section.ContentType is { } partType && !IsAcceptablePartType(partType))
                        throw new HttpProblemException(StatusCodes.Status415UnsupportedMediaType, Problems.UnsupportedMediaType,
                            $"file '{name}': Content-Type '{partType}' is not accepted; send {string.Join(", ", ImageIntake.SupportedMediaTypes)}.");
                    if (parts.Count == MaxBatchImages)
                        throw new HttpProblemException(StatusCodes.Status413PayloadTooLarge, Problems.TooLarge, $"A batch holds at most {MaxBatchImages} images.");
                    // Each file within the image cap, and all of them within the batch cap.
                    var body = totalCap - buffered < limits.MaxBytes
                        ? await ReadWithinBatchAsync(section.Body, totalCap, buffered, name, cancellationToken)
                        : await PooledBody.ReadAsync(section.Body, null, limits.MaxBytes, $"file '{name}'", cancellationToken);
                    buffered += body.Length;
                    parts.Add(new Part(name, section.ContentType, body));
                    if (body.Length == 0)
                        throw new HttpProblemException(StatusCodes.Status400BadRequest, Problems.EmptyBody, $"file '{name}' is empty.");
                }
                catch (BadHttpRequestException)
                {
                    throw; // Kestrel's own verdict (413 for its body limit), mapped by the caller
                }
                catch (InvalidDataException ex) when (sections == 0 && ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
                {
                    // Still before the first boundary: the whole body was read as preamble, so the boundary the
                    // Content-Type names is not in it. A malformed request, not an oversized section.
                    throw new HttpProblemException(StatusCodes.Status400BadRequest, Problems.MalformedRequest,
                        $"The multipart body does not contain the boundary its Content-Type names ('{boundary}').");
                }
                catch (InvalidDataException ex) when (ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
                {
                    // MultipartReader's per-section cap (a form field larger than an image may be).
                    throw HttpProblemException.TooLarge(limits.MaxBytes, "A multipart section");
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException)
                {
                    throw new HttpProblemException(StatusCodes.Status400BadRequest, Problems.MalformedRequest, $"The multipart body is malformed: {ex.Message}");
                }
            }
            if (parts.Count == 0)
                throw new HttpProblemException(StatusCodes.Status400BadRequest, Problems.EmptyBody, "The multipart body contains no files; attach images as file fields (curl -F image=@photo.jpg).");
            return parts;
        }
        catch
        {
            foreach (var part in parts)
                part.Body.Dispose();
            throw;
        }
    }

    private static async Task<PooledBody> ReadWithinBatchAsync(Stream section, long totalCap, long buffered, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await PooledBody.ReadAsync(section, null, totalCap - buffered, $"file '{name}'", cancellationToken);
        }
        catch (HttpProblemException ex) when (ex.Status == StatusCodes.Status413PayloadTooLarge)
        {
            throw HttpProblemException.TooLarge(totalCap, "The multipart body (all files together)");
        }
    }

    private static bool IsAcceptablePartType(string partType)
    {
        if (!MediaTypeHeaderValue.TryParse(partType, out var parsed))
            return false;
        var mediaType = parsed.MediaType.Value!;
        return mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            || ImageIntake.SupportedMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>The multipart answer: one detect response per file, in request order.</summary>
public sealed record BatchResponse(IReadOnlyList<DetectionResult> Results);
