using System.Net.Http.Headers;
using System.Text.Json;
using MogFace.Tests.Shared;

namespace MogFace.Tests.Contract;

public static class TestHttp
{
    public static string Image(string name) => Path.Combine(RepoPaths.Images, name);

    public static ByteArrayContent ImageContent(byte[] bytes, string? mediaType)
    {
        var content = new ByteArrayContent(bytes);
        if (mediaType is not null)
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        else
            content.Headers.ContentType = null;
        return content;
    }

    public static ByteArrayContent ImageFile(string name) =>
        ImageContent(File.ReadAllBytes(Image(name)), name.EndsWith(".png") ? "image/png" : "image/jpeg");

    /// <summary>Asserts an RFC 9457 answer: the status, problem+json, and the body's status/code/title/detail.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("detail").GetString()));
        Assert.StartsWith("https://", json.GetProperty("type").GetString());
        return json;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds (60 s at most).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException("condition not met in 60 s");
            await Task.Delay(100);
        }
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, int status = 200)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }
}

/// <summary>A body whose length is unknown to HttpClient, so it goes chunked without Content-Length.</summary>
public sealed class UnknownLengthStream(byte[] bytes) : Stream
{
    private int _position;
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(Math.Min(count, 16 * 1024), bytes.Length - _position);
        Array.Copy(bytes, _position, buffer, offset, n);
        _position += n;
        return n;
    }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
