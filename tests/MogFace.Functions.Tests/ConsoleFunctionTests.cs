using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Functions.Functions;
using MogFace.Functions.Tests.Infrastructure;
using MogFace.Http.OperatorConsole;

namespace MogFace.Functions.Tests;

/// <summary>The anonymous Console function serves the same embedded page as the server, under the /api prefix.</summary>
public sealed class ConsoleFunctionTests
{
    [Fact]
    public async Task The_bare_route_redirects_so_the_page_s_relative_urls_resolve_under_api_console()
    {
        var request = Request("/api/console");
        var answer = await FunctionsHost.ExecuteAsync(request, new ConsoleFunction().Run(request, null));

        Assert.Equal(302, answer.Status);
        Assert.Equal("/api/console/", answer.Headers.Location.ToString());
    }

    [Theory]
    [InlineData("/api/console/", "")]
    [InlineData("/api/console/console.js", "console.js")]
    [InlineData("/api/console/console.css", "console.css")]
    public async Task Serves_the_embedded_files_byte_for_byte(string path, string file)
    {
        var request = Request(path);
        var answer = await FunctionsHost.ExecuteAsync(request, new ConsoleFunction().Run(request, file));

        var asset = ConsoleAssets.Find(file)!;
        Assert.Equal(200, answer.Status);
        Assert.Equal(asset.ContentType, answer.ContentType);
        Assert.Equal(asset.Content.ToArray(), answer.Body);
        Assert.Equal(asset.ETag, answer.Headers.ETag.ToString());
    }

    [Fact]
    public async Task Anything_else_is_404()
    {
        var request = Request("/api/console/local.settings.json");
        var answer = await FunctionsHost.ExecuteAsync(request, new ConsoleFunction().Run(request, "local.settings.json"));
        Assert.Equal(404, answer.Status);
    }

    private static HttpRequest Request(string path)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        return context.Request;
    }
}
