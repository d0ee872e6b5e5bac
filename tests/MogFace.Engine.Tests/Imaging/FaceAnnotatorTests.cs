using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using MogFace.Engine.Detection;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Imaging;

public class FaceAnnotatorTests
{
    [Fact]
    public void Draws_the_box_outline_landmarks_and_a_label_but_leaves_the_inside()
    {
        using var image = new Image<Rgb24>(400, 300, new Rgb24(10, 10, 10));
        var face = new Face([100, 100, 200, 220], 0.97f, [[150, 150], [170, 150]]);
        FaceAnnotator.Draw(image, [face]);

        var green = new Rgb24(0, 255, 64);
        Assert.Equal(green, image[100, 160]); // left edge
        Assert.Equal(green, image[200, 160]); // right edge
        Assert.Equal(green, image[150, 100]); // top edge
        Assert.Equal(green, image[150, 220]); // bottom edge
        Assert.Equal(new Rgb24(10, 10, 10), image[130, 200]); // inside untouched
        Assert.NotEqual(new Rgb24(10, 10, 10), image[150, 150]); // landmark disc
        // The score label sits above the box: some pixels there changed.
        var changedAbove = 0;
        for (var x = 100; x < 130; x++)
        for (var y = 85; y < 100; y++)
            if (image[x, y] != new Rgb24(10, 10, 10)) changedAbove++;
        Assert.True(changedAbove > 20);
    }

    [Fact]
    public void Boxes_reaching_past_the_edges_are_clipped_not_fatal()
    {
        using var image = new Image<Rgb24>(50, 40);
        FaceAnnotator.Draw(image, [new Face([-30, -10, 80, 70], 0.5f, [[-5, 100]])]);
        Assert.Equal(50, image.Width);
    }
}
