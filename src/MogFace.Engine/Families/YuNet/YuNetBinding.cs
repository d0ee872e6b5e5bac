namespace MogFace.Engine.Families.YuNet;

/// <summary>The four output names of one YuNet pyramid level.</summary>
internal sealed record YuNetLevel(int Stride, string Cls, string Obj, string Bbox, string Kps);

/// <summary>
/// How a YuNet model's tensors are named, and its input size when the export fixed it (null when the axes
/// are dynamic, as in yunet_n_dynamic.onnx).
/// </summary>
internal sealed record YuNetBinding(string Input, IReadOnlyList<YuNetLevel> Levels, int? FixedHeight, int? FixedWidth)
{
    public bool IsFixedSize => FixedHeight is not null && FixedWidth is not null;

    /// <summary>All outputs in the order the pipeline asks ONNX Runtime for them: per level cls, obj, bbox, kps.</summary>
    public string[] OutputNames() => [.. Levels.SelectMany(l => new[] { l.Cls, l.Obj, l.Bbox, l.Kps })];
}
