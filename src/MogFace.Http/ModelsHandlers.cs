using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using MogFace.Engine.Json;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;
using MogFace.Registry.Administration;

namespace MogFace.Http;

/// <summary>The admin routes under <c>/api/models</c> (admin key).</summary>
public static class ModelsHandlers
{
    public const string RejectedWeights = "rejected-weights";

    private static readonly string[] WeightsMediaTypes = ["application/octet-stream", "application/onnx", "application/x-onnx"];

    /// <summary><c>GET /api/models</c>: pointer, versions, rejected uploads, instances.</summary>
    public static Task<IResult> ListAsync(IModelAdmin admin, CancellationToken cancellationToken) =>
        RegistryCall.RunAsync(async token => Results.Json(await admin.ListAsync(token), MogFaceJson.Options), cancellationToken);

    /// <summary>
    /// <c>POST /api/models?name=n</c>, body = the .onnx bytes: streamed to a temporary file (capped at
    /// MaxModelBytes, 413 past it) and handed to the same ingestion as the blob trigger.
    /// 201 with the version, or 422 with the rejection reason. With <c>async=true</c>: 202 at once, with
    /// <c>Location</c> = the upload's status (<see cref="GetUploadAsync"/>), validated in the background.
    /// </summary>
    public static async Task<IResult> UploadAsync(HttpRequest request, IWeightsIngestion ingestion, IAsyncUploads uploads, IOptions<MogFaceOptions> options, CancellationToken cancellationToken)
    {
        var cap = options.Value.MaxModelBytes;
        if (!string.IsNullOrWhiteSpace(request.ContentType))
        {
            if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ||
                !WeightsMediaTypes.Contains(type.MediaType.Value, StringComparer.OrdinalIgnoreCase))
                return Problems.Create(415, Problems.UnsupportedMediaType,
                    $"Content-Type '{request.ContentType}' is not accepted for weights; send the .onnx bytes as application/octet-stream.");
        }
        var background = false;
        if (request.Query.TryGetValue("async", out var asyncValue) && asyncValue.ToString() is { Length: > 0 } asyncText
            && !bool.TryParse(asyncText, out background))
            return Problems.Create(422, Problems.InvalidParameter, $"async must be true or false; got '{asyncText}'.");
        var name = request.Query["name"].ToString();
        if (string.IsNullOrWhiteSpace(name))
            name = "upload";
        if (name.Length > 128 || name.Contains('/') || name.Contains('\\'))
            return Problems.Create(422, Problems.InvalidParameter, "name must be a plain file name (at most 128 characters, no folders).");
        var blobName = name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? name : name + ".onnx";

        // A refusal for size is still a rejection operators should see, like the ones ingestion records.
        async Task<IResult> TooLargeAsync(long size)
        {
            var problem = HttpProblemException.TooLarge(cap, "The model");
            await ingestion.RecordRefusalAsync(blobName, RejectionCodes.TooLarge, problem.Message, size, cancellationToken);
            return Problems.From(problem);
        }
        if (request.ContentLength is { } declared && declared > cap)
            return await TooLargeAsync(declared);

        RequestBodyLimit.Lift(request.HttpContext, cap + 1);

        var path = Path.Combine(Path.GetTempPath(), $"mogface-upload-{Guid.NewGuid():N}.onnx");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        var handedOver = false;
        try
        {
            var body = new CappedStream(request.Body, cap, "The model");
            try
            {
                await body.CopyToAsync(file, 81920, cancellationToken);
                if (body.BytesRead == 0)
                    return Problems.Create(400, Problems.EmptyBody, "The request body is empty; send the .onnx bytes.");
            }
            catch (HttpProblemException ex) when (ex.Status == StatusCodes.Status413PayloadTooLarge)
            {
                // Recorded as a refusal (with the bytes that came, at least one past the cap, as Kestrel's limit reports none).
                return await TooLargeAsync(Math.Max(body.BytesRead, cap + 1));
            }
            file.Position = 0;
            if (background)
            {
                UploadStatus started;
                try
                {
                    started = await uploads.StartAsync(blobName, file, cancellationToken);
                }
                catch (UploadQueueFullException full)
                {
                    return Problems.Busy(request.HttpContext, AsyncUploadRetryAfter, full.Message);
                }
                catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or InvalidOperationException)
                {
                    // Which exceptions mean "storage" is this call's knowledge (InvalidOperationException is not, elsewhere).
                    throw new StorageUnavailableException($"The upload could not be recorded; retry. {ex.Message}", ex);
                }
                handedOver = true; // the queue disposes the file when ingestion ends
                request.HttpContext.Response.Headers.Location = UploadLocation(started.Id);
                return Results.Json(started, MogFaceJson.Options, statusCode: StatusCodes.Status202Accepted);
            }
            var outcome = await ingestion.IngestAsync(blobName, file, manifest: null, cancellationToken);
            if (outcome.Code == RejectionCodes.StorageUnavailable)
            {
                // A temporary condition, not a verdict on the weights: a retry completes the upload.
                return Problems.StorageUnavailable(outcome.Reason ?? "The model registry is unavailable; retry.");
            }
            if (!outcome.Accepted)
                return Problems.Create(422, RejectedWeights, outcome.Reason ?? "The weights were rejected.",
                    new Dictionary<string, object?> { ["reason"] = outcome.Code, ["name"] = outcome.Name });
            return Results.Json(
                new UploadResponse(outcome.Version!, outcome.Name, outcome.AlreadyRegistered),
                MogFaceJson.Options, statusCode: StatusCodes.Status201Created);
        }
        finally
        {
            if (!handedOver)
                await file.DisposeAsync();
        }
    }

    /// <summary>What a refused asynchronous upload is asked to wait: about one validation.</summary>
    private static readonly TimeSpan AsyncUploadRetryAfter = TimeSpan.FromSeconds(10);

    /// <summary>Where <c>GET /api/models/uploads/{id}</c> answers, relative to the host root (the same under both hosts).</summary>
    public static string UploadLocation(string id) => $"/{ApiRoutes.Prefix}/models/uploads/{id}";

    /// <summary><c>GET /api/models/uploads/{id}</c>: the status of an asynchronous upload (validating, accepted, rejected, failed); 404 for an unknown id.</summary>
    public static Task<IResult> GetUploadAsync(string id, IAsyncUploads uploads, CancellationToken cancellationToken) =>
        RegistryCall.RunAsync(async token => await uploads.GetAsync(id, token) is { } status
            ? Results.Json(status, MogFaceJson.Options)
            : Problems.Create(404, Problems.UploadNotFound, $"No upload '{id}' is recorded."), cancellationToken);

    /// <summary><c>POST /api/models/{version}/activate</c>: 200 pointer, 404 unknown version. Replaces an unreadable pointer.</summary>
    public static Task<IResult> ActivateAsync(string version, IModelAdmin admin, CancellationToken cancellationToken) =>
        PointerActionAsync(token => admin.ActivateAsync(version, $"activate {version} (admin API)", token), cancellationToken);

    /// <summary>
    /// <c>DELETE /api/models/{version}</c>: 204 when deleted; 404 unknown (so a second delete is 404); 409 with the
    /// <see cref="VersionInUseException.Code"/> while the pointer needs it, 409 <c>pointer-unreadable</c>.
    /// </summary>
    public static Task<IResult> DeleteAsync(string version, IModelAdmin admin, CancellationToken cancellationToken) =>
        RegistryCall.RunAsync(async token =>
        {
            await admin.DeleteAsync(version, token);
            return Results.NoContent();
        }, cancellationToken);

    /// <summary>
    /// <c>POST /api/models/rollback</c>: 200 pointer, 409 when there is no previous version, 409
    /// <c>pointer-unreadable</c> when the pointer does not parse (which version was active is unknown then:
    /// activate one instead).
    /// </summary>
    public static Task<IResult> RollbackAsync(IModelAdmin admin, CancellationToken cancellationToken) =>
        PointerActionAsync(admin.RollbackAsync, cancellationToken, Problems.NoPreviousVersion);

    /// <summary><c>PUT /api/models/canary</c> with <c>{"version":"…","percent":10}</c>: 400 bad JSON, 422 percent outside 1..100 or the active version, 404 unknown version.</summary>
    public static async Task<IResult> SetCanaryAsync(HttpRequest request, IModelAdmin admin, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CanaryRequest>(request, "The canary request", """{"version":"…","percent":10}""", cancellationToken);
        if (body is null || string.IsNullOrWhiteSpace(body.Version))
            return Problems.Create(422, Problems.InvalidParameter, "version is required.");
        if (body.Percent is not (>= 1 and <= 100))
            return Problems.Create(422, Problems.InvalidParameter, $"percent must be an integer within 1..100; got {body.Percent?.ToString() ?? "nothing"}.");
        return await PointerActionAsync(token => admin.SetCanaryAsync(body.Version, body.Percent.Value, token), cancellationToken, Problems.NoActiveVersion);
    }

    /// <summary><c>DELETE /api/models/canary</c>: ends the split (idempotent); 409 when the pointer does not parse.</summary>
    public static Task<IResult> ClearCanaryAsync(IModelAdmin admin, CancellationToken cancellationToken) =>
        PointerActionAsync(admin.ClearCanaryAsync, cancellationToken);

    /// <summary><c>POST /api/models/canary/promote</c>: the canary becomes active and the split ends; 409 when no canary runs.</summary>
    public static Task<IResult> PromoteCanaryAsync(IModelAdmin admin, CancellationToken cancellationToken) =>
        PointerActionAsync(admin.PromoteCanaryAsync, cancellationToken, Problems.NoCanary);

    /// <summary>
    /// Runs a pointer change and answers the new pointer, or the refusal as problem+json: 404 unknown version,
    /// 409 unreadable pointer, 409 <paramref name="conflictCode"/> when the change does not apply to the current
    /// pointer (<see cref="InvalidOperationException"/>), 422 out-of-range argument, 503 storage unavailable.
    /// </summary>
    internal static Task<IResult> PointerActionAsync(Func<CancellationToken, Task<PointerDocument>> action, CancellationToken cancellationToken, string? conflictCode = null) =>
        RegistryCall.RunAsync(token => PointerResultAsync(action, token, conflictCode), cancellationToken);

    /// <remarks>
    /// Unknown version, unreadable pointer and an active canary mean the same on every route and are mapped by
    /// <see cref="ExceptionProblems"/>; what an <see cref="InvalidOperationException"/> or an out-of-range
    /// argument means is known only here (which pointer change was refused), so it is translated here.
    /// </remarks>
    private static async Task<IResult> PointerResultAsync(Func<CancellationToken, Task<PointerDocument>> action, CancellationToken cancellationToken, string? conflictCode)
    {
        try
        {
            return Results.Json(await action(cancellationToken), MogFaceJson.Options);
        }
        catch (InvalidOperationException ex) when (conflictCode is not null)
        {
            throw new HttpProblemException(StatusCodes.Status409Conflict, conflictCode, ex.Message);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw HttpProblemException.Invalid(ex.Message);
        }
    }
}

public sealed record CanaryRequest(string? Version, int? Percent);

public sealed record UploadResponse(string Version, string Name, bool AlreadyRegistered);
