using System.Text.Json;
using MogFace.Registry.Storage;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Registry.Tests.Storage;

/// <summary>
/// What fuzzing the registry's documents found (docs/fuzzing.md): JSON that parsed into a record with a null where
/// its type promises a value (a plan decision without a reason, a traffic entry without a version, a validation
/// report without a provider, a heartbeat without an instance id), which a listing or a health answer then
/// dereferenced. The kept crashing inputs (fuzz/corpus/*/regression-*) go through the same parsers here and are
/// refused as documents; the valid seeds still parse, so strictness does not refuse what the service writes.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FuzzRegressionTests(AzuriteFixture azurite)
{
    public static TheoryData<string> Regressions(string target) =>
        new(Directory.GetFiles(RepoPaths.FuzzCorpus(target), "regression-*").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    public static TheoryData<string> Seeds(string target) =>
        new(Directory.GetFiles(RepoPaths.FuzzCorpus(target)).Select(Path.GetFileName).Where(n => !n!.StartsWith("regression-", StringComparison.Ordinal)).Order(StringComparer.Ordinal)!);

    private static BinaryData Corpus(string target, string file) => BinaryData.FromBytes(File.ReadAllBytes(Path.Combine(RepoPaths.FuzzCorpus(target), file)));

    [Theory]
    [MemberData(nameof(Regressions), "pointer")]
    public void A_pointer_the_fuzzer_broke_is_unreadable_with_a_reason(string file)
    {
        Assert.Null(PointerParser.TryParse(Corpus("pointer", file), out var error));
        Assert.StartsWith("not a pointer document", error);
    }

    [Theory]
    [MemberData(nameof(Regressions), "heartbeat")]
    [InlineData("""{"instanceId":null,"updatedAt":"2026-11-30T12:00:00Z"}""")]
    [InlineData("""{"instanceId":"a","loaded":null}""")]
    [InlineData("""{"instanceId":"a","traffic":[{"version":null,"requests":1,"errors":0}]}""")]
    public void A_heartbeat_with_a_null_where_its_type_has_a_value_is_not_a_heartbeat(string fileOrJson)
    {
        var content = fileOrJson.StartsWith('{') ? BinaryData.FromString(fileOrJson) : Corpus("heartbeat", fileOrJson);
        Assert.Throws<JsonException>(() => RegistryDocuments.Parse<InstanceHeartbeat>(content, "instances/x.json"));
    }

    [Theory]
    [MemberData(nameof(Regressions), "manifest")]
    public void A_version_record_the_fuzzer_broke_is_not_a_version_record(string file) =>
        Assert.Throws<JsonException>(() => RegistryDocuments.Parse<VersionRecord>(Corpus("manifest", file), "versions/x/manifest.json"));

    [Theory]
    [MemberData(nameof(Seeds), "pointer")]
    public void The_seed_pointers_parse(string file)
    {
        Assert.NotNull(PointerParser.TryParse(Corpus("pointer", file), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void The_seed_heartbeat_and_version_record_parse()
    {
        Assert.Equal("host-1/1234", RegistryDocuments.Parse<InstanceHeartbeat>(Corpus("heartbeat", "serving.json"), "instances/x.json").InstanceId);
        Assert.Equal("CPU", RegistryDocuments.Parse<VersionRecord>(Corpus("manifest", "version-record.json"), "versions/x/manifest.json").Validation!.Provider);
    }

    /// <summary>
    /// The consequence in the registry: an expired heartbeat without an instance id made the listing (GET
    /// /api/models, the canary decider) throw a NullReferenceException naming its blob; now it is skipped like any
    /// unreadable document, and the good heartbeats are still listed.
    /// </summary>
    [Fact]
    public async Task The_heartbeat_listing_skips_a_broken_heartbeat_and_lists_the_rest()
    {
        await using var instance = LifecycleInstance.Create(azurite, AzuriteFixture.NewContainerSuffix());
        var registry = instance.Registry;
        await registry.EnsureContainersAsync(CancellationToken.None);
        await registry.WriteHeartbeatAsync(new InstanceHeartbeat { InstanceId = "alive", State = "ready", UpdatedAt = DateTimeOffset.UtcNow }, CancellationToken.None);
        await registry.Models.GetBlobClient("instances/broken.json").UploadAsync(
            BinaryData.FromString("""{"instanceId":null,"updatedAt":"2000-01-01T00:00:00Z"}"""), overwrite: true);
        await registry.Models.GetBlobClient("instances/fuzzed.json").UploadAsync(Corpus("heartbeat", "regression-traffic-without-version.json"), overwrite: true);

        var listed = await registry.ListHeartbeatsAsync(CancellationToken.None);

        Assert.Equal(["alive"], listed.Select(h => h.InstanceId));
    }
}
