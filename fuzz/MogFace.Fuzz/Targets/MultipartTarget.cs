using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using MogFace.Engine.Imaging;
using MogFace.Http;

namespace MogFace.Fuzz.Targets;

/// <summary>
/// The multipart reader of a detect request. Input: the Content-Type header value on the first line, the body after
/// it (so the fuzzer varies the boundary parameter too). Allowed refusal: <see cref="HttpProblemException"/> (400,
/// 413, 415 problem+json); an accepted batch must also respect the caps the reader promises.
/// </summary>
internal sealed class MultipartTarget : IFuzzTarget
{
    // Small caps so the fuzzer reaches them with small inputs; the same checks guard the service's 20 MB ones.
    private static readonly ImageLimits Limits = new() { MaxBytes = 4096 };
    private const long BatchCap = 10_000;
    private const int MaxImages = 4;

    public void Run(Stream input)
    {
        var bytes = FuzzTargets.ReadAll(input);
        var newline = Array.IndexOf(bytes, (byte)'\n');
        if (newline < 0)
            return;
        var header = Encoding.Latin1.GetString(bytes, 0, newline).TrimEnd('\r');
        // The handler answers 415 before the reader runs when the header is not multipart.
        if (!MediaTypeHeaderValue.TryParse(header, out var contentType) || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return;
        var body = bytes.AsMemory(newline + 1);
        var context = new DefaultHttpContext();
        context.Request.ContentType = header;
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body.ToArray(), writable: false);

        List<ImagePart> parts;
        try
        {
            parts = MultipartImages.ReadAsync(context.Request, contentType, Limits, BatchCap, MaxImages, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (HttpProblemException)
        {
            return; // the defined refusal
        }
        try
        {
            if (parts.Count is 0 or > MaxImages)
                throw new InvalidOperationException($"The reader accepted {parts.Count} parts (1..{MaxImages} allowed).");
            if (parts.Any(p => p.Body.Length is 0 || p.Body.Length > Limits.MaxBytes) || parts.Sum(p => (long)p.Body.Length) > BatchCap)
                throw new InvalidOperationException("The reader accepted a part outside the image or batch cap.");
        }
        finally
        {
            foreach (var part in parts)
                part.Body.Dispose();
        }
    }
}
