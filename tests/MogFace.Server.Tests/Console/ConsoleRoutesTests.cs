using System.Net;
using System.Net.Http.Headers;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Http.OperatorConsole;

namespace MogFace.Server.Tests.Console;

/// <summary>The console's routes on the real server (no browser): anonymous, redirects, caching, and health's stats.</summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleRoutesTests(ConsoleBrowserFixture fixture)
{
    [Theory]
    [InlineData("/", "/console/")]
    [InlineData("/console", "/console/")]
    public async Task The_root_and_the_bare_console_path_redirect_to_the_page(string path, string location)
    {
        using var client = NoRedirects();
        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/console/", "text/html")]
    [InlineData("/console/index.html", "text/html")]
    [InlineData("/console/console.js", "text/javascript")]
    [InlineData("/console/console.css", "text/css")]
    [InlineData("/console/favicon.svg", "image/svg+xml")]
    public async Task The_page_and_its_assets_are_anonymous_and_revalidated_by_etag(string path, string mediaType)
    {
        using var client = NoRedirects(); // no key at all
        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var asset = ConsoleAssets.Find(path["/console/".Length..])!;
        Assert.Equal(asset.Content.ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(asset.ETag, response.Headers.ETag?.ToString());
        Assert.True(response.Headers.CacheControl?.NoCache);

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(asset.ETag));
        using var revalidated = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_page_is_sent_with_a_strict_content_security_policy()
    {
        using var client = NoRedirects();
        using var response = await client.GetAsync("/console/");

        Assert.Equal(ConsoleHandler.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("/console/appsettings.json")]
    [InlineData("/console/MogFace.Http.dll")]
    [InlineData("/console/wwwroot/index.html")]
    public async Task Only_the_console_files_are_served(string path)
    {
        using var client = NoRedirects();
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Health_reports_stats_the_status_tab_charts()
    {
        using var client = fixture.Server.CreateClient(ConsoleBrowserFixture.FunctionKey);
        using (var detect = await client.PostAsync("api/detect", TestHttp.ImageFile("grace_hopper_512x512.jpg")))
            Assert.Equal(HttpStatusCode.OK, detect.StatusCode);
        using (var refused = await client.PostAsync("api/detect", TestHttp.ImageContent([1, 2, 3], "image/jpeg")))
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        using var health = await client.GetAsync("api/health");
        var stats = (await TestHttp.JsonAsync(health)).GetProperty("stats");

        Assert.True(stats.GetProperty("requests").GetInt64() >= 1);
        // A client's undecodable image is its own mistake, not a server error: the error-rate alert stays quiet.
        Assert.Equal(0, stats.GetProperty("errors").GetInt64());
        Assert.True(stats.GetProperty("swaps").GetInt64() >= 1, "the first model load is a swap");
        Assert.True(stats.GetProperty("ingestionsAccepted").GetInt64() >= 1);
        Assert.True(stats.TryGetProperty("at", out _));
        var latency = stats.GetProperty("latency").EnumerateArray().ToList();
        Assert.Contains(latency, l => l.GetProperty("version").GetString()!.StartsWith("blazeface-", StringComparison.Ordinal)
            && l.GetProperty("p50Ms").GetDouble() > 0 && l.GetProperty("p99Ms").GetDouble() >= l.GetProperty("p50Ms").GetDouble());
    }

    private HttpClient NoRedirects() =>
        new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Server.BaseAddress };
}
