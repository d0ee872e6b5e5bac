using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using MogFace.Engine.Imaging;

namespace MogFace.Http;

/// <summary>One image of a detect request: the multipart file name (or "image"), its declared type, its bytes.</summary>
public sealed record ImagePart(string Name, string? ContentType, PooledBody Body);

/// <summary>
/// Reads the files of a multipart detect request: each file within the image cap and all of them within the batch
/// cap (413 as soon as one passes), a bounded count of sections, only image (or octet-stream) parts.
/// </summary>
internal static class MultipartImages
{
    /// <summary>Room for multipart headers and boundaries on top of <see cref="MogFace.Registry.Configuration.MogFaceOptions.MaxBatchBytes"/>.</summary>
    public const long Overhead = 1024 * 1024;

    /// <summary>The image files of a multipart/form-data body, each read capped; other fields are skipped.</summary>
    /// <exception cref="HttpProblemException">400 malformed or no files, 413 past a cap, 415 a part that is not an image.</exception>
    public static async Task<List<ImagePart>> ReadAsync(HttpRequest request, MediaTypeHeaderValue contentType, ImageLimits limits, long batchCap, int maxImages, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw new HttpProblemException(StatusCodes.Status400BadRequest, Problems.MalformedRequest, "multipart/form-data without a boundary.");
        var totalCap = Math.Min(batchCap, limits.MaxBytes * maxImages);
        if (request.ContentLength > totalCap + Overhead)
            throw HttpProblemException.TooLarge(totalCap, "The multipart body");
        var buffered = 0L;
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = limits.MaxBytes + 1 };
        var parts = new List<ImagePart>();
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
                    if (++sections > maxImages * 4)
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
                    if (parts.Count == maxImages)
                        throw new HttpProblemException(StatusCodes.Status413PayloadTooLarge, Problems.TooLarge, $"A batch holds at most {maxImages} images.");
                    // Each file within the image cap, and all of them within the batch cap.
                    var body = totalCap - buffered < limits.MaxBytes
                        ? await ReadWithinBatchAsync(section.Body, totalCap, buffered, name, cancellationToken)
                        : await PooledBody.ReadAsync(section.Body, null, limits.MaxBytes, $"file '{name}'", cancellationToken);
                    buffered += body.Length;
                    parts.Add(new ImagePart(name, section.ContentType, body));
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
