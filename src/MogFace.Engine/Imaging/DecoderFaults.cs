namespace MogFace.Engine.Imaging;

/// <summary>
/// Which exceptions of an ImageSharp decode mean "these bytes are not a decodable image". The documented ones
/// (<c>ImageFormatException</c>, <c>InvalidImageContentException</c>, <c>NotSupportedException</c>), and the ones
/// ImageSharp 2.x (pinned: 3.x is under a paid licence) throws from inside its decoders on crafted files. Fuzzing
/// found NullReferenceException in the JPEG header reader and colour post-processing and in the WebP header, and
/// ArgumentOutOfRangeException from the VP8 reader on a chunk size over 2 GiB (fuzz/corpus/image/regression-*,
/// docs/fuzzing.md); the rest of the list is the same family of defects on a cursor or a table built from
/// untrusted bytes. Out-of-memory and cancellation are not input faults and are not listed.
/// </summary>
internal static class DecoderFaults
{
    public static bool IsInputFault(Exception ex) => ex is SixLabors.ImageSharp.ImageFormatException
        or SixLabors.ImageSharp.InvalidImageContentException
        or NotSupportedException
        or NullReferenceException
        or IndexOutOfRangeException
        or ArgumentException // ArgumentOutOfRangeException included
        or InvalidOperationException
        or OverflowException
        or DivideByZeroException
        or InvalidCastException;
}
