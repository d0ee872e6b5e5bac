namespace MogFace.Engine.Imaging;

/// <summary>
/// Where <see cref="OpenCvResize"/> puts each output row, so a consumer can take the rows one at a time instead of
/// a whole resized image: <see cref="Row"/> gives the span to write row y into, <see cref="Written"/> says it is done.
/// </summary>
internal interface IResizedRows
{
    Span<float> Row(int y);

    void Written(int y);
}

/// <summary>Rows straight into one interleaved H×W×C image.</summary>
internal readonly ref struct DestinationRows(Span<float> destination, int rowLength) : IResizedRows
{
    private readonly Span<float> _destination = destination;

    public Span<float> Row(int y) => _destination.Slice(y * rowLength, rowLength);

    public void Written(int y)
    {
    }
}
