using System.Text.Json;
using System.Text.Json.Serialization;
using MogFace.Engine.Json;

namespace MogFace.Engine.Families;

/// <summary>
/// What travels next to a model file (<c>&lt;name&gt;.json</c>): family and the defaults it is served with.
/// Every field is optional: a missing family is detected from the ONNX signature, missing thresholds take
/// the family's defaults. Unknown fields are kept so a manifest round-trips through the registry.
/// </summary>
public sealed record ModelManifest
{
    public string? Name { get; init; }
    public string? Family { get; init; }
    public string? Description { get; init; }

    /// <summary>Square input size for fixed-size families (BlazeFace 128 or 256); informative otherwise.</summary>
    public int? InputSize { get; init; }

    public float? ScoreThreshold { get; init; }
    public float? NmsThreshold { get; init; }
    public int? PreNmsTopK { get; init; }
    public int? MaxFaces { get; init; }

    /// <summary>"weighted" (MediaPipe blending) or "hard" (greedy suppression).</summary>
    public string? Nms { get; init; }

    public bool? ClipBoxes { get; init; }

    /// <summary>MogFace resize policy: "reference" (ModelScope: long side 1000 above 1500), "shrink" (official single-scale), "native".</summary>
    public string? Resize { get; init; }

    /// <summary>YuNet: cap on the long side an image is run at (default 1280); a request's <c>maxSide</c> overrides it.</summary>
    public int? MaxSide { get; init; }

    /// <summary>Whether ingestion runs the probe-image quality gate (default true).</summary>
    public bool? QualityGate { get; init; }

    /// <summary>
    /// What the accuracy regression gate does when this model's golden-set AP falls more than the margin below the
    /// active version's: "enforce" (default, rejected) or "warn" (accepted, the warning kept with the version).
    /// </summary>
    public string? Gate { get; init; }

    /// <summary>The values <see cref="Gate"/> may take.</summary>
    public const string GateEnforce = "enforce", GateWarn = "warn";

    public string? Sha256 { get; init; }
    public string? Source { get; init; }
    public string? License { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }

    public static ModelManifest Empty { get; } = new();

    public static ModelManifest Parse(string json) =>
        JsonSerializer.Deserialize<ModelManifest>(json, MogFaceJson.Options)
        ?? throw new JsonException("The manifest is JSON null.");

    public static async Task<ModelManifest?> LoadBesideAsync(string modelPath, CancellationToken cancellationToken = default)
    {
        var path = Path.ChangeExtension(modelPath, ".json");
        if (!File.Exists(path))
            return null;
        return Parse(await File.ReadAllTextAsync(path, cancellationToken));
    }

    public string ToJson() => JsonSerializer.Serialize(this, MogFaceJson.Indented);
}
