using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12, case 14: the answers the framework gives itself (a route that does not exist, a method a route does not
/// take) are problem+json with a <c>code</c> like every answer of the handlers, so clients branch on one field.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class FrameworkProblemTests(KeyedServerFixture fixture)
{
    [Fact]
    public async Task An_unknown_route_is_404_not_found()
    {
        using var client = fixture.Server.CreateClient(KeyedServerFixture.AdminKey);
        using var response = await client.GetAsync("api/no-such-route");
        await TestHttp.AssertProblemAsync(response, 404, "not-found");
    }

    [Fact]
    public async Task A_method_the_route_does_not_take_is_405_method_not_allowed()
    {
        using var client = fixture.Server.CreateClient(KeyedServerFixture.FunctionKey);
        using var response = await client.GetAsync("api/detect");
        await TestHttp.AssertProblemAsync(response, 405, "method-not-allowed");
        Assert.Contains("POST", response.Content.Headers.Allow);
    }
}
