using MogFace.Tests.Shared;

namespace MogFace.Tests.Contract;

/// <summary>
/// A keyed endpoint of its own with two registered versions: blazeface-back active (<see cref="IKeyedEndpointFixture.ModelVersion"/>)
/// and blazeface-front registered beside it (<see cref="FrontVersion"/>). The version-lifecycle tests move the
/// pointer, so they do not share the endpoint the other contract tests read.
/// </summary>
public abstract class TwoVersionEndpointFixture : KeyedEndpointFixture
{
    public string FrontVersion { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var admin = Endpoint.CreateClient(ContractKeys.Admin);
        using (var upload = await ServiceEndpoint.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceFront), "blazeface-front"))
            FrontVersion = (await TestHttp.JsonAsync(upload, 201)).GetProperty("version").GetString()!;
        // An accepted upload becomes active: put the back model back in front.
        using (var activate = await admin.PostAsync($"api/models/{ModelVersion}/activate", null))
            await TestHttp.JsonAsync(activate);
        await Endpoint.WaitForModelAsync(ModelVersion);
    }
}
