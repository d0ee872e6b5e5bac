namespace MogFace.Core.Tests.Infrastructure;

/// <summary>Files of the repository the tests read (weights, photos) and where they write results.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Models => Path.Combine(Root, "models", "blazeface");
    public static string Front => Path.Combine(Models, "blazeface-front.onnx");
    public static string Back => Path.Combine(Models, "blazeface-back.onnx");
    public static string Images => Path.Combine(Root, "tests", "images");
    public static string GraceHopper => Path.Combine(Images, "grace_hopper_512x512.jpg");

    /// <summary>TestResults/ at the repository root (git-ignored): measurements for docs/hot-swap.md.</summary>
    public static string TestResults
    {
        get
        {
            var path = Path.Combine(Root, "TestResults");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    public static byte[] ReadWeights(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: run models/fetch-weights.sh (or ./test.sh) first.", path);
        return File.ReadAllBytes(path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MogFace.Functions.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No MogFace.Functions.sln above {AppContext.BaseDirectory}.");
    }
}
