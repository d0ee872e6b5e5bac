using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MogFace.Engine.Json;

namespace MogFace.Registry.Storage;

/// <summary>
/// Reads the JSON documents of the models container (the pointer, version manifests, rejections, heartbeats, upload
/// statuses). Anything that is not the document is a <see cref="JsonException"/>, the one exception the readers
/// expect (a listing skips the document, a single read reports it): JSON null, and — found by fuzzing
/// (docs/fuzzing.md) — a null or a missing value where the type says there is always one (a heartbeat without an
/// <c>instanceId</c>, a traffic entry without a version, a plan decision without a reason), which the readers would
/// otherwise carry on with until a NullReferenceException deep in a listing or a health answer. Every writer is
/// this code under the same nullable annotations, so a document it wrote always passes.
/// </summary>
internal static class RegistryDocuments
{
    /// <summary><see cref="MogFaceJson.Options"/>, holding documents to their nullable annotations and required parameters.</summary>
    public static JsonSerializerOptions ReadOptions { get; } = CreateReadOptions();

    public static T Parse<T>(BinaryData content, string blob) =>
        content.ToObjectFromJson<T>(ReadOptions)
        ?? throw new JsonException($"models/{blob} holds JSON null.");

    private static JsonSerializerOptions CreateReadOptions()
    {
        var options = new JsonSerializerOptions(MogFaceJson.Options)
        {
            RespectNullableAnnotations = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { RequireNonNullableParameters } },
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// A constructor parameter without a default whose type cannot be null must be in the document. Not
    /// RespectRequiredConstructorParameters: a nullable parameter (<see cref="ValidationReport.Detail"/>) is left out
    /// when null (<see cref="MogFaceJson"/> omits nulls), and that document is whole.
    /// </summary>
    private static void RequireNonNullableParameters(JsonTypeInfo type)
    {
        foreach (var property in type.Properties)
        {
            if (property.AssociatedParameter is { IsNullable: false, HasDefaultValue: false, IsMemberInitializer: false })
                property.IsRequired = true;
        }
    }
}
