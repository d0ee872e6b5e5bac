using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using MogFace.Core.Lifecycle;

namespace MogFace.Core.Http;

/// <summary>The admin routes under <c>/api/models</c> (admin key).</summary>
public static class ModelsHandlers
{
    public const string RejectedWeights = "rejected-weights";
    private const int MaxJsonBytes = 64 * 1024;

    private static readonly string[] WeightsMediaTypes = ["application/octet-stream", "application/onnx", "application/x-onnx"];

    /// <summary><c>GET /api/models</c>: pointer, versions, rejected uploads, instances.</summary>
    public static async Task<IResult> ListAsync(IModelAdmin admin, CancellationToken cancellationToken) =>
        Results.Json(await admin.ListAsync(cancellationToken), MogFaceJson.Options);

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
        if (request.ContentLength > cap)
            return Problems.From(HttpProblemException.TooLarge(cap, "The model"));
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

        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = cap + 1;

        var path = Path.Combine(Path.GetTempPath(), $"mogface-upload-{Guid.NewGuid():N}.onnx");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        var handedOver = false;
        try
        {
            if (await ReceiveAsync(request, file, cap, cancellationToken) is { } refused)
                return refused;
            file.Position = 0;
            if (background)
            {
                UploadStatus started;
                try
                {
                    started = await uploads.StartAsync(blobName, file, cancellationToken);
                }
                catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or InvalidOperationException)
                {
                    request.HttpContext.Response.Headers.RetryAfter = "5";
                    return Problems.Create(503, RejectionCodes.StorageUnavailable, $"The upload could not be recorded; retry. {ex.Message}");
                }
                handedOver = true;
                request.HttpContext.Response.Headers.Location = UploadLocation(started.Id);
                return Results.Json(started, MogFaceJson.Options, statusCode: StatusCodes.Status202Accepted);
            }
            var outcome = await ingestion.IngestAsync(blobName, file, manifest: null, cancellationToken);
            if (outcome.Code == RejectionCodes.StorageUnavailable)
            {
                // Nothing was recorded: a temporary condition, not a verdict on the weights.
                request.HttpContext.Response.Headers.RetryAfter = "5";
                return Problems.Create(503, RejectionCodes.StorageUnavailable, outcome.Reason ?? "The model registry is unavailable; retry.");
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

    /// <summary>The body into <paramref name="file"/>, capped; a problem answer when it is refused, else null.</summary>
    private static async Task<IResult?> ReceiveAsync(HttpRequest request, FileStream file, long cap, CancellationToken cancellationToken)
    {
        try
        {
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > cap)
                    return Problems.From(HttpProblemException.TooLarge(cap, "The model"));
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            return total == 0 ? Problems.Create(400, Problems.EmptyBody, "The request body is empty; send the .onnx bytes.") : null;
        }
        catch (BadHttpRequestException ex)
        {
            var status = ex.StatusCode == 413 ? 413 : 400;
            return Problems.Create(status, status == 413 ? Problems.TooLarge : Problems.MalformedRequest, ex.Message);
        }
    }

    /// <summary>Where <c>GET /api/models/uploads/{id}</c> answers, relative to the host root (the same under both hosts).</summary>
    public static string UploadLocation(string id) => $"/{ApiRoutes.Prefix}/models/uploads/{id}";

    /// <summary><c>GET /api/models/uploads/{id}</c>: the status of an asynchronous upload (validating, accepted, rejected, failed); 404 for an unknown id.</summary>
    public static async Task<IResult> GetUploadAsync(string id, IAsyncUploads uploads, CancellationToken cancellationToken) =>
        await uploads.GetAsync(id, cancellationToken) is { } status
            ? Results.Json(status, MogFaceJson.Options)
            : Problems.Create(404, Problems.UploadNotFound, $"No upload '{id}' is recorded.");

    /// <summary><c>POST /api/models/{version}/activate</c>: 200 pointer, 404 unknown version.</summary>
    public static async Task<IResult> ActivateAsync(string version, IModelAdmin admin, CancellationToken cancellationToken)
    {
        try
        {
            return Results.Json(await admin.ActivateAsync(version, $"activate {version} (admin API)", cancellationToken), MogFaceJson.Options);
        }
        catch (VersionNotFoundException ex)
        {
            return Problems.Create(404, Problems.VersionNotFound, ex.Message);
        }
    }

    /// <summary><c>POST /api/models/rollback</c>: 200 pointer, 409 when there is no previous version.</summary>
    public static async Task<IResult> RollbackAsync(IModelAdmin admin, CancellationToken cancellationToken)
    {
        try
        {
            return Results.Json(await admin.RollbackAsync(cancellationToken), MogFaceJson.Options);
        }
        catch (InvalidOperationException ex)
        {
            return Problems.Create(409, Problems.NoPreviousVersion, ex.Message);
        }
    }

    /// <summary><c>PUT /api/models/canary</c> with <c>{"version":"…","percent":10}</c>: 400 bad JSON, 422 percent outside 1..100, 404 unknown version.</summary>
    public static async Task<IResult> SetCanaryAsync(HttpRequest request, IModelAdmin admin, CancellationToken cancellationToken)
    {
        CanaryRequest? body;
        try
        {
            using var json = await PooledBody.ReadAsync(request.Body, request.ContentLength, MaxJsonBytes, "The canary request", cancellationToken);
            if (json.Length == 0)
                return Problems.Create(400, Problems.EmptyBody, """The body is empty; send {"version":"…","percent":10}.""");
            body = JsonSerializer.Deserialize<CanaryRequest>(json.Memory.Span, MogFaceJson.Options);
        }
        catch (HttpProblemException ex)
        {
            return Problems.From(ex);
        }
        catch (JsonException ex)
        {
            return Problems.Create(400, Problems.MalformedRequest, $"The body is not valid JSON: {ex.Message}");
        }
        if (body is null || string.IsNullOrWhiteSpace(body.Version))
            return Problems.Create(422, Problems.InvalidParameter, "version is required.");
        if (body.Percent is not (>= 1 and <= 100))
            return Problems.Create(422, Problems.InvalidParameter, $"percent must be an integer within 1..100; got {body.Percent?.ToString() ?? "nothing"}.");
        try
        {
            return Results.Json(await admin.SetCanaryAsync(body.Version, body.Percent.Value, cancellationToken), MogFaceJson.Options);
        }
        catch (VersionNotFoundException ex)
        {
            return Problems.Create(404, Problems.VersionNotFound, ex.Message);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return Problems.Create(422, Problems.InvalidParameter, ex.Message);
        }
        catch (CanaryIsActiveException ex)
        {
            return Problems.Create(422, Problems.CanaryIsActive, ex.Message, new Dictionary<string, object?> { ["version"] = ex.Version });
        }
    }

    /// <summary><c>POST /api/models/canary/promote</c>: the canary becomes active and the split ends; 409 when no canary runs.</summary>
    public static async Task<IResult> PromoteCanaryAsync(IModelAdmin admin, CancellationToken cancellationToken)
    {
        try
        {
            return Results.Json(await admin.PromoteCanaryAsync(cancellationToken), MogFaceJson.Options);
        }
        catch (InvalidOperationException ex)
        {
            return Problems.Create(409, Problems.NoCanary, ex.Message);
        }
    }

    /// <summary><c>DELETE /api/models/canary</c>: ends the split (idempotent).</summary>
    public static async Task<IResult> ClearCanaryAsync(IModelAdmin admin, CancellationToken cancellationToken) =>
        Results.Json(await admin.ClearCanaryAsync(cancellationToken), MogFaceJson.Options);
}

public sealed record CanaryRequest(string? Version, int? Percent);

public sealed record UploadResponse(string Version, string Name, bool AlreadyRegistered);
