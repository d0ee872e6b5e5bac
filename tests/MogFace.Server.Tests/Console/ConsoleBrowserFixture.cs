using Microsoft.Playwright;
using MogFace.Tests.Shared;
using MogFace.Server.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Processing.Processors.Quantization;

namespace MogFace.Server.Tests.Console;

/// <summary>
/// Real Azurite + the real standalone server on loopback (keys configured, YuNet then BlazeFace back uploaded
/// through the admin route, back active) + Debian's chromium driven by Playwright: the page is exercised exactly as an operator uses it.
/// The browser is never downloaded: Playwright runs /usr/bin/chromium (installed by ./test.sh).
/// </summary>
public sealed class ConsoleBrowserFixture : IAsyncLifetime
{
    public const string FunctionKey = "console-function-key";
    public const string AdminKey = "console-admin-key";
    public const string ChromiumEnvironmentVariable = "MOGFACE_CHROMIUM";

    /// <summary>Set to 1 to copy the screenshots to docs/ as well (they are committed; the README shows them).</summary>
    public const string UpdateDocsEnvironmentVariable = "MOGFACE_UPDATE_SCREENSHOTS";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
    ];

    private string? _userDataDir;

    public AzuriteFixture Azurite { get; } = new();
    public ServerInstance Server { get; private set; } = null!;
    public string BackVersion { get; private set; } = null!;

    /// <summary>The default model, registered but not active: the Detect test activates it for its screenshot.</summary>
    public string YuNetVersion { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowserContext Browser { get; private set; } = null!;

    /// <summary>TestResults/console under the repository root (./test.sh's results folder).</summary>
    public static string OutputDirectory { get; } = Path.Combine(RepoPaths.Root, "TestResults", "console");

    public Uri ConsoleUrl => new(Server.BaseAddress, "/console/");

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable(ChromiumEnvironmentVariable) is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(chromium))
            throw new InvalidOperationException($"No browser at {chromium}: ./test.sh installs Debian's chromium (apt-get install chromium), or set {ChromiumEnvironmentVariable}.");

        await Azurite.InitializeAsync();
        Server = await ServerInstance.StartAsync(Azurite, FunctionKey, AdminKey);
        using (var admin = Server.CreateClient(AdminKey))
        {
            YuNetVersion = await UploadAndWaitAsync(admin, RepoPaths.YuNet, "yunet-n.onnx");
            BackVersion = await UploadAndWaitAsync(admin, RepoPaths.BlazeFaceBack, "blazeface-back.onnx");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        _userDataDir = Directory.CreateTempSubdirectory("mogface-chromium-").FullName;
        Browser = await Playwright.Chromium.LaunchPersistentContextAsync(_userDataDir, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ChromiumArgs,
            ViewportSize = new ViewportSize { Width = 1360, Height = 860 },
            Locale = "en-GB",
            TimezoneId = "UTC",
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        Browser.SetDefaultTimeout(20_000);
        Assertions.SetDefaultExpectTimeout(20_000);
        Directory.CreateDirectory(OutputDirectory);
    }

    /// <summary>Uploads weights through the admin route (an accepted upload becomes active) and waits until they serve.</summary>
    private async Task<string> UploadAndWaitAsync(HttpClient admin, string path, string name)
    {
        using var upload = await ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(path), name);
        var version = (await TestHttp.JsonAsync(upload, 201)).GetProperty("version").GetString()!;
        return await Server.WaitForModelAsync(version);
    }

    /// <summary>Makes a registered version active through the admin route and waits until it serves.</summary>
    public async Task ActivateAsync(string version)
    {
        using var admin = Server.CreateClient(AdminKey);
        using (var activate = await admin.PostAsync($"api/models/{version}/activate", null))
            await TestHttp.JsonAsync(activate, 200);
        await Server.WaitForModelAsync(version);
    }

    /// <summary>A fresh tab (its own session storage) on the console, with page errors collected.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(string fragment = "")
    {
        var page = await Browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            // 401s the page asked for on purpose are logged by the browser as failed resources; scripts' own errors are not expected.
            if (message.Type == "error" && !message.Text.Contains("401", StringComparison.Ordinal))
                errors.Add(message.Text);
        };
        await page.GotoAsync(new Uri(ConsoleUrl, fragment).ToString());
        return (page, errors);
    }

    /// <summary>A screenshot into TestResults/console (and docs/ when asked), re-encoded as a palette PNG to stay small.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = false, Animations = ScreenshotAnimations.Disabled });
        using var image = Image.Load(bytes);
        var encoder = new PngEncoder
        {
            ColorType = PngColorType.Palette,
            Quantizer = new WuQuantizer(new QuantizerOptions { MaxColors = 256, Dither = null }),
            CompressionLevel = PngCompressionLevel.BestCompression,
        };
        var path = Path.Combine(OutputDirectory, name);
        await image.SaveAsPngAsync(path, encoder);
        if (Environment.GetEnvironmentVariable(UpdateDocsEnvironmentVariable) == "1")
            File.Copy(path, Path.Combine(RepoPaths.Root, "docs", name), overwrite: true);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Server is not null)
            await Server.DisposeAsync();
        await Azurite.DisposeAsync();
        if (_userDataDir is not null)
        {
            try { Directory.Delete(_userDataDir, recursive: true); } catch (IOException) { }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleBrowserCollection : ICollectionFixture<ConsoleBrowserFixture>
{
    public const string Name = "Console in a browser";
}

/// <summary>Runs a class's tests in name order: the operator story changes the pointer step by step.</summary>
public sealed class ByNameOrderer : Xunit.Sdk.ITestCaseOrderer
{
    public const string TypeName = "MogFace.Server.Tests.Console.ByNameOrderer";
    public const string AssemblyName = "MogFace.Server.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : Xunit.Abstractions.ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal);
}
