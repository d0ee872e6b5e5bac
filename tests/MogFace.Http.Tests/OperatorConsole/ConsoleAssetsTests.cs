using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Http.OperatorConsole;
using MogFace.Registry.Telemetry;

namespace MogFace.Http.Tests.OperatorConsole;

public class ConsoleAssetsTests
{
    [Theory]
    [InlineData("index.html", "text/html; charset=utf-8")]
    [InlineData("console.css", "text/css; charset=utf-8")]
    [InlineData("console.js", "text/javascript; charset=utf-8")]
    public void Every_file_of_the_page_is_embedded_with_its_type(string path, string contentType)
    {
        var asset = ConsoleAssets.Find(path);

        Assert.NotNull(asset);
        Assert.Equal(contentType, asset.ContentType);
        Assert.True(asset.Content.Length > 500, $"{path} is {asset.Content.Length} bytes");
        Assert.Matches("^\"[0-9a-f]{16}\"$", asset.ETag);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/")]
    public void The_console_root_is_the_page(string? path) =>
        Assert.Equal(ConsoleAssets.IndexPath, ConsoleAssets.Find(path)!.Path);

    [Theory]
    [InlineData("../MogFace.Http.dll")]
    [InlineData("wwwroot/index.html")]
    [InlineData("INDEX.HTML")]
    [InlineData("nope.js")]
    public void Only_embedded_names_resolve(string path) => Assert.Null(ConsoleAssets.Find(path));

    [Fact]
    public void The_page_loads_its_assets_by_relative_url_and_nothing_from_elsewhere()
    {
        var html = Text("index.html");
        Assert.Contains("href=\"console.css\"", html);
        Assert.Contains("src=\"console.js\"", html);
        foreach (var path in ConsoleAssets.Paths)
        {
            var text = Text(path);
            // No CDN, no absolute asset or API URLs (the page must work under /console and /api/console).
            Assert.DoesNotMatch(new Regex(@"(src|href)\s*=\s*""(https?:)?//", RegexOptions.IgnoreCase), text);
            Assert.DoesNotMatch(new Regex(@"fetch\(\s*[""']/"), text);
            Assert.DoesNotContain("@import", text);
        }
    }

    [Fact]
    public void The_page_has_three_accessible_tabs()
    {
        var html = Text("index.html");
        Assert.Contains("role=\"tablist\"", html);
        foreach (var tab in new[] { "detect", "models", "status" })
        {
            Assert.Contains($"id=\"tab-{tab}\" aria-controls=\"panel-{tab}\"", html);
            Assert.Contains($"id=\"panel-{tab}\" aria-labelledby=\"tab-{tab}\"", html);
        }
        // No inline script or style: the CSP the handler sends forbids them.
        Assert.DoesNotMatch(new Regex(@"<script(?![^>]*\bsrc=)", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain(" style=\"", html);
        Assert.DoesNotContain("<style", html);
    }

    [Fact]
    public void The_admin_key_never_travels_in_a_url() =>
        Assert.DoesNotMatch(new Regex(@"[?&]code="), Text("console.js"));

    private static string Text(string path) => Encoding.UTF8.GetString(ConsoleAssets.Find(path)!.Content.Span);
}

public class ConsoleHandlerTests
{
    [Fact]
    public async Task Serves_the_page_with_its_etag_and_a_strict_csp()
    {
        var (status, headers, body) = await Run("/console/", "");

        Assert.Equal(200, status);
        Assert.Equal("text/html; charset=utf-8", headers.ContentType);
        Assert.Equal(ConsoleAssets.Find("index.html")!.ETag, headers.ETag);
        Assert.Equal("no-cache", headers.CacheControl);
        Assert.Equal(ConsoleHandler.ContentSecurityPolicy, headers.ContentSecurityPolicy);
        Assert.Equal("nosniff", headers.XContentTypeOptions);
        Assert.Equal(ConsoleAssets.Find("index.html")!.Content.ToArray(), body);
    }

    [Fact]
    public async Task A_matching_if_none_match_gets_304_without_a_body()
    {
        var etag = ConsoleAssets.Find("console.js")!.ETag;
        var (status, headers, body) = await Run("/console/console.js", "console.js", context => context.Request.Headers.IfNoneMatch = etag);

        Assert.Equal(304, status);
        Assert.Equal(etag, headers.ETag);
        Assert.Empty(body);
    }

    [Theory]
    [InlineData("/console", "", "/console/")]
    [InlineData("/api/console", "", "/api/console/")]
    public async Task The_root_without_a_slash_redirects_so_relative_urls_resolve(string requestPath, string path, string location)
    {
        var (status, headers, _) = await Run(requestPath, path, context => context.Request.QueryString = new QueryString("?x=1"));

        Assert.Equal(302, status);
        Assert.Equal(location + "?x=1", headers.Location);
    }

    [Fact]
    public async Task An_unknown_file_is_404()
    {
        var (status, _, _) = await Run("/console/secret.txt", "secret.txt");
        Assert.Equal(404, status);
    }

    private static async Task<(int Status, IHeaderDictionary Headers, byte[] Body)> Run(string requestPath, string path, Action<HttpContext>? arrange = null)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
        };
        context.Request.Method = "GET";
        context.Request.Path = requestPath;
        var body = new MemoryStream();
        context.Response.Body = body;
        arrange?.Invoke(context);

        await ConsoleHandler.Handle(context, path).ExecuteAsync(context);

        return (context.Response.StatusCode, context.Response.Headers, body.ToArray());
    }
}
