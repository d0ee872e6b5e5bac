using MogFace.Engine.Families.MogFaceLarge;

namespace MogFace.Engine.Tests.Families.MogFaceLarge;

public sealed class MogFaceTtaPlanTests
{
    [Fact]
    public void ASmallImageGetsEveryReferencePass()
    {
        // 1024×768: sqrt(0x7fffffff / 200 / 786432) = 3.69 > 2.2 → m = 2.6.
        var passes = MogFaceTtaPlan.For(1024, 768, MogFaceTtaOptions.Default);
        Assert.Equal(
            [(1.0, false), (1.0, true), (0.5, false), (0.75, false), (2.0, false), (1.5, false), (2.6, false), (0.25, false), (1.25, false), (1.75, false), (2.25, false)],
            passes.Select(p => (p.Shrink, p.Flip)));
        // Shrunk passes keep big faces, enlarged ones small faces (scale weight 15).
        Assert.Equal(2000f, passes[2].MinArea);
        Assert.Equal(9000f, passes[4].MaxArea);
        Assert.Equal(12000f, passes[5].MaxArea);
        Assert.Equal(7500f, passes[6].MaxArea);
        Assert.Equal(30000f, passes[8].MaxArea);
        Assert.Equal(15000f, passes[9].MaxArea);
        Assert.Equal(9000f, passes[10].MaxArea);
        Assert.Null(passes[0].MinArea ?? passes[0].MaxArea);
    }

    [Fact]
    public void AHugeImageIsShrunkAndNotEnlarged()
    {
        // 4000×3000: m = 0.9459 → shrink = m, st = 0.5, 0.75 pass, bt = (0.5 + m)/2, no enlarged or pyramid-up passes.
        var passes = MogFaceTtaPlan.For(4000, 3000, MogFaceTtaOptions.Default);
        var m = Math.Sqrt(0x7fffffff / 200.0 / 12e6);
        Assert.Equal([m, m, 0.5, 0.75, (0.5 + m) / 2, 0.25], passes.Select(p => p.Shrink));
    }

    [Fact]
    public void AreaFilterUsesAreaWithoutPlusOne()
    {
        var pass = new MogFaceTtaPass(0.5, false, MinArea: 2000);
        Assert.False(pass.Keeps(0, 0, 40, 50)); // exactly 2000: not above
        Assert.True(pass.Keeps(0, 0, 40, 50.1f));
    }
}
