using MogFace.Engine.Imaging;
using MogFace.Engine.Tests.Imaging.Reference;
using MogFace.Tests.Shared;

namespace MogFace.Engine.Tests.Imaging;

/// <summary>
/// Issue 14 made the truncation walk faster (a lookup that takes a code and its magnitude bits in one step, eight
/// bytes at a time into the accumulator) without changing what it accepts or refuses: on real JPEGs, cut at many
/// offsets (bare, and with FF D9 appended) and with bytes of their scan data overwritten, its verdict is the one of
/// the walk as it was (<see cref="ReferenceJpegScan"/>), message included (it names the MCU where the data ends).
/// </summary>
public class JpegScanDifferentialTests
{
    private const int Cuts = 64;
    private const int Corruptions = 48;

    /// <summary>Every JPEG of the test photos and the fuzz seeds, and the photo re-encoded in each subsampling.</summary>
    public static TheoryData<string> Jpegs =>
        new(Directory.GetFiles(RepoPaths.Images, "*.jpg", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(RepoPaths.FuzzCorpus("image"), "*.jpg"))
            .Select(path => Path.GetRelativePath(RepoPaths.Root, path))
            .Concat(["jpeg-420", "jpeg-444", "jpeg-grey"])
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Jpegs))]
    public void The_walk_answers_as_before_on_cut_and_overwritten_files(string source)
    {
        var whole = Load(source);
        var verdicts = Variants(whole).Select(variant => (Expected: ReferenceJpegScan.MissingData(variant), Actual: JpegScan.MissingData(variant))).ToList();

        Assert.All(verdicts, v => Assert.Equal(v.Expected, v.Actual));
        // A baseline photo's cuts are refused, so the comparison is not vacuous (the fuzz crashes are crafted files the
        // walk does not model, and progressive files are left to the scan script: both answer "cannot tell" throughout).
        if (!source.Contains("regression-", StringComparison.Ordinal) && !IsProgressive(whole))
            Assert.Contains(verdicts, v => v.Actual is not null);
    }

    [Fact]
    public void A_file_with_restart_markers_is_walked_through_them_and_its_cut_refused()
    {
        var whole = File.ReadAllBytes(RepoPaths.Image("jpeg-structures/sample5-restart-every-3-mcus.jpg"));
        Assert.Null(JpegScan.MissingData(whole));
        byte[] cut = [.. whole[..(whole.Length / 2)], 0xFF, 0xD9];
        Assert.StartsWith("scan data ends after ", JpegScan.MissingData(cut));
    }

    /// <summary>A file of <see cref="Jpegs"/>: a path under the repository, or a subsampling of the test photo.</summary>
    internal static byte[] Load(string source) => source.StartsWith("jpeg-", StringComparison.Ordinal)
        ? TruncatedImages.Encode(source)
        : File.ReadAllBytes(Path.Combine(RepoPaths.Root, source));

    /// <summary>The file itself, its cuts (bare and with an end marker), and copies with one scan-data byte overwritten.</summary>
    internal static IEnumerable<byte[]> Variants(byte[] whole)
    {
        yield return whole;
        var scanStart = whole.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xDA]);
        var from = Math.Max(scanStart, 2);
        for (var i = 0; i < Cuts; i++)
        {
            var cut = whole[..(from + (int)((long)(whole.Length - from) * i / Cuts))];
            yield return cut;
            yield return [.. cut, 0xFF, 0xD9];
        }
        var random = new Random(14); // seeded: the same overwrites every run
        for (var i = 0; i < Corruptions; i++)
        {
            var corrupt = (byte[])whole.Clone();
            corrupt[random.Next(from, whole.Length)] = i % 4 == 0 ? (byte)0xFF : (byte)random.Next(256); // a stray marker now and then
            yield return corrupt;
        }
    }

    internal static bool IsProgressive(byte[] jpeg) => jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC2]) >= 0;
}
