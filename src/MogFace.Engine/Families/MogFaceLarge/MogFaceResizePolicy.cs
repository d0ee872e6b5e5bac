namespace MogFace.Engine.Families.MogFaceLarge;

/// <summary>How the image is scaled before it enters the network (manifest <c>resize</c>).</summary>
public enum MogFaceResizePolicy
{
    /// <summary>ModelScope pipeline: scale the long side to 1000 when it exceeds 1500, else native size.</summary>
    Reference,

    /// <summary>Official single-scale test: <c>min(1, sqrt(0x7fffffff / 200 / (H·W)))</c> (only shrinks huge images).</summary>
    Shrink,

    /// <summary>Always the native size.</summary>
    Native,
}
