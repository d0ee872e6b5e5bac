using MogFace.Fuzz.Targets;

namespace MogFace.Fuzz;

/// <summary>
/// A fuzz target: <see cref="Run"/> feeds one input through a product path. The contract is that the path answers
/// any input with success or its documented refusal; every other exception escapes, and AFL records the input as a
/// crash.
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>Work done once per process (loading a model), outside the measured loop.</summary>
    void Prepare() { }

    void Run(Stream input);
}

internal static class FuzzTargets
{
    /// <summary>The targets by the name scripts/fuzz.sh passes; each has a seed folder fuzz/corpus/&lt;name&gt;.</summary>
    public static IReadOnlyDictionary<string, IFuzzTarget> All { get; } = new Dictionary<string, IFuzzTarget>(StringComparer.Ordinal)
    {
        ["image"] = new ImageIntakeTarget(),
        ["multipart"] = new MultipartTarget(),
        ["pointer"] = new PointerTarget(),
        ["manifest"] = new ManifestTarget(),
        ["heartbeat"] = new HeartbeatTarget(),
    };

    public static byte[] ReadAll(Stream input)
    {
        using var copy = new MemoryStream();
        input.CopyTo(copy);
        return copy.ToArray();
    }
}
