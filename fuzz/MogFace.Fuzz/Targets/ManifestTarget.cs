using System.Text;
using System.Text.Json;
using MogFace.Engine.Families;
using MogFace.Registry.Storage;

namespace MogFace.Fuzz.Targets;

/// <summary>
/// Both manifests: the one uploaded beside a model (<c>weights/&lt;name&gt;.json</c>, <see cref="ModelManifest.Parse"/>;
/// a <see cref="JsonException"/> there becomes a <c>bad-manifest</c> rejection) and the registry's version record
/// (<c>models/versions/&lt;v&gt;/manifest.json</c>, <see cref="RegistryDocuments.Parse{T}"/>). Each input goes through
/// both. Allowed refusal: <see cref="JsonException"/>; a record that parses must hold what its type promises.
/// </summary>
internal sealed class ManifestTarget : IFuzzTarget
{
    public void Run(Stream input)
    {
        var bytes = FuzzTargets.ReadAll(input);
        try
        {
            // Ingestion reads the sidecar as text (ReadWeightsTextAsync), so invalid UTF-8 arrives replaced.
            _ = ModelManifest.Parse(Encoding.UTF8.GetString(bytes)).ToJson();
        }
        catch (JsonException)
        {
        }
        VersionRecord record;
        try
        {
            record = RegistryDocuments.Parse<VersionRecord>(BinaryData.FromBytes(bytes), "versions/fuzz/manifest.json");
        }
        catch (JsonException)
        {
            return;
        }
        // What GET /api/models, activation and the loader read of a version.
        _ = record.Version.Length + record.Name.Length + record.Family.Length + record.Sha256.Length;
        _ = record.Validation?.Provider.Length;
    }
}
