using MogFace.Tests.Shared;
using MogFace.Http;

namespace MogFace.Tests.Contract;

/// <summary>
/// The key contract of docs/http.md, the same under both hosts: detect takes the function key or the admin key,
/// every /api/models route takes the admin key only, health is anonymous, and a deployment with only the function
/// key configured keeps its admin routes closed (fail closed). The host master key never appears.
/// </summary>
public abstract class KeysContract(IKeyedEndpointFixture fixture)
{
    private IServiceEndpoint Service => fixture.Endpoint;

    /// <summary>Starts an endpoint of this host with the given keys (null = not configured) on <paramref name="azurite"/>.</summary>
    protected abstract Task<IServiceEndpoint> StartAsync(AzuriteFixture azurite, string? functionKey, string? adminKey);

    public static TheoryData<string> AdminRoutes => new(ApiRoutes.Api.Where(r => r.Key == KeyLevel.Admin).Select(r => r.Name));

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task Every_admin_route_refuses_the_function_key_no_key_and_a_wrong_key(string name)
    {
        var route = ApiRoutes.Api.Single(r => r.Name == name);
        foreach (var key in new[] { ContractKeys.Function, null, "not-a-key" })
        {
            using var client = Service.CreateClient(key);
            using var response = await client.SendAsync(Request(route));
            await TestHttp.AssertProblemAsync(response, 401, "unauthorized");
        }
    }

    [Fact]
    public async Task The_admin_key_opens_the_admin_routes_and_detect_and_health_needs_none()
    {
        using var admin = Service.CreateClient(ContractKeys.Admin);
        using (var list = await admin.GetAsync("api/models"))
            Assert.Equal(fixture.ModelVersion, (await TestHttp.JsonAsync(list)).GetProperty("pointer").GetProperty("active").GetString());
        using (var byQuery = await Service.CreateClient().GetAsync($"api/models?code={ContractKeys.Admin}"))
            await TestHttp.JsonAsync(byQuery);
        using var anonymous = Service.CreateClient();
        using (var health = await anonymous.GetAsync("api/health"))
            await TestHttp.JsonAsync(health);
    }

    [Fact]
    public async Task With_only_the_function_key_configured_the_admin_routes_are_closed_to_every_key()
    {
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var endpoint = await StartAsync(azurite, ContractKeys.Function, adminKey: null);
        try
        {
            foreach (var key in new[] { ContractKeys.Function, ContractKeys.Admin, null })
            {
                using var client = endpoint.CreateClient(key);
                using var response = await client.GetAsync("api/models");
                var problem = await TestHttp.AssertProblemAsync(response, 401, "unauthorized");
                if (key is not null)
                    Assert.Contains("MogFace__AdminKey", problem.GetProperty("detail").GetString());
            }
            // Detect still takes the function key (no model yet: past the key check, 503).
            using var detect = await endpoint.CreateClient(ContractKeys.Function)
                .PostAsync("api/detect", TestHttp.ImageContent(File.ReadAllBytes(RepoPaths.GraceHopper), "image/jpeg"));
            await TestHttp.AssertProblemAsync(detect, 503, "model-not-ready");
            using var anonymous = await endpoint.CreateClient()
                .PostAsync("api/detect", TestHttp.ImageContent(File.ReadAllBytes(RepoPaths.GraceHopper), "image/jpeg"));
            await TestHttp.AssertProblemAsync(anonymous, 401, "unauthorized");
        }
        finally
        {
            if (endpoint is IAsyncDisposable disposable)
                await disposable.DisposeAsync();
            await azurite.DisposeAsync();
        }
    }

    private HttpRequestMessage Request(ApiRoute route) =>
        new(new HttpMethod(route.Method), "api/" + route.Template.Replace("{version}", fixture.ModelVersion));
}
