namespace MogFace.Tests.Shared;

/// <summary>Files of the repository the tests read (photos, labels, weights), found from the test binary.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Images => Path.Combine(Root, "tests", "images");
    public static string Image(string name) => Path.Combine(Images, name);
    public static string Labels => Path.Combine(Images, "labels.txt");
    public static string BlazeFaceBack => Path.Combine(Root, "models", "blazeface", "blazeface-back.onnx");
    public static string BlazeFaceFront => Path.Combine(Root, "models", "blazeface", "blazeface-front.onnx");
    public static string YuNet => Path.Combine(Root, "models", "yunet", "yunet-n.onnx");
    public static string GraceHopper => Image("grace_hopper_512x512.jpg");

    /// <summary>The seed corpus of one fuzz target (fuzz/corpus/&lt;target&gt;), its kept crashes named <c>regression-*</c>.</summary>
    public static string FuzzCorpus(string target) => Path.Combine(Root, "fuzz", "corpus", target);

    /// <summary>The Functions app's <c>dotnet publish</c> output (what the container image ships), made by test.sh and run.sh.</summary>
    public static string FunctionsPublish => Path.Combine(Root, "artifacts", "functions");

    /// <summary>The Functions host kit (shared/functions-host beside the repository).</summary>
    public static string FunctionsHostKit => Path.GetFullPath(Path.Combine(Root, "..", "shared", "functions-host"));

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
        throw new InvalidOperationException("Repository root (MogFace.Functions.sln) not found above " + AppContext.BaseDirectory);
    }
}
