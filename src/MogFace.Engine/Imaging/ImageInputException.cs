namespace MogFace.Engine.Imaging;

/// <summary>Why an image was refused. Each kind maps to one HTTP status (see <see cref="ImageInputErrorExtensions"/>).</summary>
public enum ImageInputError
{
    Empty,
    TooLarge,
    UnsupportedFormat,
    Undecodable,
    TooManyPixels,
}

/// <summary>A client-side problem with an image: never a server fault, always a clear message.</summary>
public sealed class ImageInputException(ImageInputError error, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ImageInputError Error { get; } = error;
}

public static class ImageInputErrorExtensions
{
    /// <summary>The status code system.md assigns to each refusal.</summary>
    public static int ToHttpStatus(this ImageInputError error) => error switch
    {
        ImageInputError.TooLarge => 413,
        ImageInputError.UnsupportedFormat => 415,
        ImageInputError.TooManyPixels => 422,
        _ => 400,
    };
}
