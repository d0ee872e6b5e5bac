namespace MogFace.Engine.Families.MogFaceLarge;

/// <summary>
/// How a MogFace-format model's tensors are named, and its input size when the export fixed it
/// (null when the axis is dynamic, as export_onnx.py makes it).
/// </summary>
internal sealed record MogFaceBinding(string Input, string Conf, string Loc, int? FixedHeight, int? FixedWidth)
{
    public bool IsFixedSize => FixedHeight is not null && FixedWidth is not null;
}
