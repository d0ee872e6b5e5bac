using System.Globalization;
using MogFace.Engine;
using MogFace.Engine.Families.BlazeFace;
using MogFace.Engine.Families.MogFaceLarge;
using MogFace.Engine.Families.YuNet;

namespace MogFace.Cli.Bench;

/// <summary>
/// The tensor a model's pipeline builds from an image, as arguments of the OpenCV peer (opencv_peer.py): the size
/// the image is resized to, the tensor plane and layout, and each tensor channel's (x − mean) / std.
/// </summary>
internal sealed record PeerInput(int ResizeWidth, int ResizeHeight, int TensorWidth, int TensorHeight, bool Nhwc, bool Bgr, double[] Mean, double[] Std)
{
    public static PeerInput For(FaceModel model, int width, int height)
    {
        var shape = model.Pipeline.InputShape(width, height);
        var nhwc = shape[^1] == 3;
        int tensorWidth = (int)(nhwc ? shape[2] : shape[3]), tensorHeight = (int)(nhwc ? shape[1] : shape[2]);
        // Every family fits the image into its plane keeping the aspect ratio (padding the rest).
        var factor = Math.Min((double)tensorWidth / width, (double)tensorHeight / height);
        var resizeWidth = Math.Clamp((int)Math.Round(width * factor), 1, tensorWidth);
        var resizeHeight = Math.Clamp((int)Math.Round(height * factor), 1, tensorHeight);
        var (bgr, mean, std) = model.Family.Name switch
        {
            YuNetFamily.FamilyName => (true, new[] { 0.0, 0, 0 }, new[] { 1.0, 1, 1 }), // raw 0–255 BGR
            BlazeFaceFamily.FamilyName => (false, [127.5, 127.5, 127.5], [127.5, 127.5, 127.5]), // [-1, 1]
            // The MogFace reference: (p − mean) / (std · 255), RGB (MogFacePreprocessing).
            MogFaceFamily.FamilyName => (false, [123.675, 116.28, 103.53], [58.395 * 255, 57.12 * 255, 57.375 * 255]),
            _ => (false, [0.0, 0, 0], [255.0, 255, 255]),
        };
        return new PeerInput(resizeWidth, resizeHeight, tensorWidth, tensorHeight, nhwc, bgr, mean, std);
    }

    public IEnumerable<string> Arguments()
    {
        var inv = CultureInfo.InvariantCulture;
        string Three(double[] v) => string.Join(',', v.Select(x => x.ToString("R", inv)));
        return
        [
            "--resize", ResizeWidth.ToString(inv), ResizeHeight.ToString(inv),
            "--tensor", TensorWidth.ToString(inv), TensorHeight.ToString(inv),
            "--layout", Nhwc ? "nhwc" : "nchw", "--order", Bgr ? "bgr" : "rgb",
            "--mean", Three(Mean), "--std", Three(Std),
        ];
    }
}
