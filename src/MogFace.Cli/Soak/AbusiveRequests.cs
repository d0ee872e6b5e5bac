using System.Net.Http.Headers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace MogFace.Cli.Soak;

/// <summary>
/// What the abusive clients of <c>mogface bench soak</c> send, one of each kind in turn: the inputs issue 12's probe
/// found or that a hostile client would try. Each has a set of statuses it may get; anything else (a 500, a reset
/// connection) is counted as unexpected.
/// </summary>
internal sealed class AbusiveRequests
{
    /// <param name="AbortEarly">The client leaves after 50 ms (a refusal may come first: <paramref name="Expected"/>).</param>
    public sealed record Kind(string Name, Func<HttpRequestMessage> Build, int[] Expected, bool AbortEarly = false);

    public IReadOnlyList<Kind> Kinds { get; }

    public AbusiveRequests(byte[] photo, string functionKey)
    {
        var random = new Random(12);
        byte[] Noise(int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }
        using var image = Image.Load<Rgb24>(photo);
        var bomb = DecodeBomb();
        var png = Encode(image, new PngEncoder());
        var webp = Encode(image, new WebpEncoder());
        var bmp = Encode(image, new BmpEncoder());
        // 15 × 4 MiB of noise as JPEG parts: just under the 64 MiB batch cap, so every byte is read before the verdict.
        var batchPart = Noise(4 << 20);
        var oversized = Noise(30 << 20);

        HttpRequestMessage Detect(HttpContent content, string query = "", string? key = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "api/detect" + query) { Content = content };
            request.Headers.Add("x-functions-key", key ?? functionKey);
            return request;
        }
        HttpContent Bytes(byte[] bytes, string mediaType)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return content;
        }
        byte[] Truncated(byte[] bytes) => bytes[..(bytes.Length * 2 / 3)];

        Kinds =
        [
            new("decode-bomb-6000x6000", () => Detect(Bytes(bomb, "image/jpeg")), [200, 503]),
            new("batch-15x4MiB-noise", () =>
            {
                var multipart = new MultipartFormDataContent();
                for (var i = 0; i < 15; i++)
                    multipart.Add(Bytes(batchPart, "image/jpeg"), "image", $"noise{i}.jpg");
                return Detect(multipart);
            }, [400, 413, 503]),
            new("oversized-30MiB", () => Detect(Bytes(oversized, "image/jpeg")), [413, 503]),
            new("truncated-jpeg", () => Detect(Bytes([.. Truncated(photo), 0xFF, 0xD9], "image/jpeg")), [400, 503]),
            new("truncated-png", () => Detect(Bytes(Truncated(png), "image/png")), [400, 503]),
            new("truncated-webp", () => Detect(Bytes(Truncated(webp), "image/webp")), [400, 503]),
            new("truncated-bmp", () => Detect(Bytes(Truncated(bmp), "image/bmp")), [400, 503]),
            new("garbage", () => Detect(Bytes(Noise(200_000), "image/jpeg")), [400, 415, 503]),
            new("wrong-boundary", () =>
            {
                var content = new ByteArrayContent("--other\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n\r\nxx\r\n--other--\r\n"u8.ToArray());
                content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=expected");
                return Detect(content);
            }, [400, 503]),
            new("bad-query", () => Detect(Bytes(photo, "image/jpeg"), "?threshold=7&maxFaces=-1&maxSide=99999"), [422]),
            new("wrong-key", () => Detect(Bytes(photo, "image/jpeg"), key: "not-the-key"), [401]),
            new("admin-with-function-key", () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, "api/models/rollback");
                request.Headers.Add("x-functions-key", functionKey);
                return request;
            }, [401]),
            new("client-gone-mid-bomb", () => Detect(Bytes(bomb, "image/jpeg")), [503], AbortEarly: true),
        ];
    }

    /// <summary>A JPEG whose header says 6000×6000 (36 MP, under the 40 MP cap) in ~550 KB: seconds of decode at full scale for a few bytes.</summary>
    private static byte[] DecodeBomb()
    {
        using var flat = new Image<Rgb24>(6000, 6000, new Rgb24(128, 128, 128));
        return Encode(flat, new JpegEncoder { Quality = 10 });
    }

    private static byte[] Encode(Image image, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var buffer = new MemoryStream();
        image.Save(buffer, encoder);
        return buffer.ToArray();
    }
}
