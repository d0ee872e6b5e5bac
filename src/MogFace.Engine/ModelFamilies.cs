using MogFace.Engine.Families;
using MogFace.Engine.Families.BlazeFace;
using MogFace.Engine.Families.MogFaceLarge;
using MogFace.Engine.Families.YuNet;
using MogFace.Engine.Inference;

namespace MogFace.Engine;

/// <summary>The known families and how one is chosen for a model.</summary>
public static class ModelFamilies
{
    public static IReadOnlyList<IModelFamily> All { get; } = [new BlazeFaceFamily(), new MogFaceFamily(), new YuNetFamily()];

    /// <summary>
    /// The manifest's family when named (and the signature fits it), else the one family whose signature
    /// matches. Throws <see cref="ModelFormatException"/> with the reason otherwise.
    /// </summary>
    public static IModelFamily Resolve(ModelSignature signature, string? named)
    {
        if (!string.IsNullOrWhiteSpace(named))
        {
            var family = All.FirstOrDefault(f => string.Equals(f.Name, named, StringComparison.OrdinalIgnoreCase))
                ?? throw new ModelFormatException($"Unknown model family '{named}'; known: {string.Join(", ", All.Select(f => f.Name))}.");
            var why = family.Mismatch(signature);
            if (why is not null)
                throw new ModelFormatException($"The manifest names family '{family.Name}' but the model does not fit it: {why} (model: {signature}).");
            return family;
        }
        var matches = All.Where(f => f.Mismatch(signature) is null).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ModelFormatException(
                $"The model's signature fits no known family ({string.Join("; ", All.Select(f => $"{f.Name}: {f.Mismatch(signature)}"))}); model: {signature}."),
            _ => throw new ModelFormatException(
                $"The model's signature fits several families ({string.Join(", ", matches.Select(f => f.Name))}); name one in the manifest."),
        };
    }
}
