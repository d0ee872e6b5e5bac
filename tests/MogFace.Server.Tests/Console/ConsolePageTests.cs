using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MogFace.Tests.Shared;
using MogFace.Server.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using MogFace.Http.OperatorConsole;

namespace MogFace.Server.Tests.Console;

/// <summary>
/// The operator console in Debian's chromium against the real server and Azurite: detect a real photo, hot-swap
/// weights uploaded through the page, roll back, canary and its promotion, a wrong key, and the status charts. Tests run in name
/// order (the pointer changes step by step) and each takes a screenshot of its tab.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
[TestCaseOrderer(ByNameOrderer.TypeName, ByNameOrderer.AssemblyName)]
public sealed class ConsolePageTests(ConsoleBrowserFixture fixture)
{
    private static string FrontVersion { get; } =
        "blazeface-front-" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(RepoPaths.BlazeFaceFront)))[..12];

    [Fact]
    public async Task T1_Detect_draws_a_box_per_face_and_reruns_when_the_threshold_moves()
    {
        // The default model, YuNet, serves this test (its screenshot is the README's); back is active again after it.
        await fixture.ActivateAsync(fixture.YuNetVersion);
        var (page, errors) = await fixture.OpenAsync();
        await page.FillAsync("#api-key", ConsoleBrowserFixture.FunctionKey);
        await page.ClickAsync("#key-form button[type=submit]");
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Detect" })).ToHaveAttributeAsync("aria-selected", "true");
        Assert.Equal("/api", await page.GetAttributeAsync("html", "data-api"));

        // One face first, then the group photo (5 faces) for the screenshot.
        await page.SetInputFilesAsync("#detect-file", TestHttp.Image("grace_hopper_512x512.jpg"));
        await Expect(page.Locator("#detect-stage")).ToHaveAttributeAsync("data-faces", "1");
        await Expect(page.Locator("#faces-body tr.face")).ToHaveCountAsync(1);

        await page.SetInputFilesAsync("#detect-file", TestHttp.Image("sample5.jpg"));
        await Expect(page.Locator("#detect-stage")).ToHaveAttributeAsync("data-faces", "5");
        await Expect(page.Locator("#faces-body tr.face")).ToHaveCountAsync(5);
        await Expect(page.Locator("#detect-count")).ToHaveTextAsync("5");
        await Expect(page.Locator("#detect-model")).ToHaveTextAsync(fixture.YuNetVersion);
        await Expect(page.Locator("#detect-timings")).ToContainTextAsync("inference");
        Assert.True(await BoxPixelsAsync(page) > 500, "the canvas shows the photo with green boxes drawn on it");

        // The slider re-runs detection (a higher threshold may keep or drop faces, never add them).
        await page.Locator("#threshold").FillAsync("0.95");
        await Expect(page.Locator("#detect-message")).ToContainTextAsync("threshold 0.95");
        Assert.InRange(int.Parse(await page.InnerTextAsync("#detect-count")), 0, 5);
        await page.Locator("#threshold").FillAsync("0.5");
        await Expect(page.Locator("#detect-message")).ToHaveTextAsync("5 faces at threshold 0.50.");
        await Expect(page.Locator("#detect-stage")).ToHaveAttributeAsync("data-faces", "5");

        await ConsoleBrowserFixture.ScreenshotAsync(page, "console-detect.png");
        Assert.Empty(errors);
        await page.CloseAsync();
        await fixture.ActivateAsync(fixture.BackVersion);
    }

    [Fact]
    public async Task T2_A_wrong_admin_key_shows_an_error_and_nothing_else()
    {
        var (page, errors) = await fixture.OpenAsync("#models");
        await Expect(page.Locator("#models-message")).ToContainTextAsync("Wrong or missing admin key"); // no key at all
        await page.FillAsync("#api-key", "not-the-admin-key");
        await page.ClickAsync("#key-form button[type=submit]");
        await Expect(page.Locator("#models-message")).ToContainTextAsync("Wrong or missing admin key (401)");
        await Expect(page.Locator("#models-active")).ToHaveTextAsync("–");

        // The function key opens detect but not the admin routes.
        await page.FillAsync("#api-key", ConsoleBrowserFixture.FunctionKey);
        await page.ClickAsync("#key-form button[type=submit]");
        await Expect(page.Locator("#models-message")).ToContainTextAsync("admin routes need the admin key");
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task T3_Models_upload_hot_swaps_without_reload_then_rollback_and_canary()
    {
        var (page, errors) = await fixture.OpenAsync();
        await page.FillAsync("#api-key", ConsoleBrowserFixture.AdminKey);
        await page.ClickAsync("#key-form button[type=submit]");
        var models = page.GetByRole(AriaRole.Tab, new() { Name = "Models" });
        await models.FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight"); // Status
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Status" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowLeft"); // back to Models: arrows move focus and selection
        await Expect(models).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.Locator("#panel-models")).ToBeVisibleAsync();
        await Expect(page.Locator("#models-active")).ToHaveTextAsync(fixture.BackVersion);
        await Expect(page.Locator($"#instances-body tr[data-converged=true]")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => { window.__sameDocument = 'yes'; }");

        // Upload the other BlazeFace model through the page: ingestion validates it and makes it active.
        await page.SetInputFilesAsync("#upload-file", RepoPaths.BlazeFaceFront);
        await page.ClickAsync("#upload-button");
        await Expect(page.Locator("#action-message")).ToContainTextAsync("Accepted as " + FrontVersion);
        await Expect(page.Locator("#models-active")).ToHaveTextAsync(FrontVersion);
        await Expect(page.Locator($"#versions-body tr[data-version='{FrontVersion}']")).ToContainTextAsync("active");
        // The accuracy gate's numbers: front's golden AP against back's, which it was compared with (issue 13, item 7).
        await Expect(page.Locator($"#versions-body tr[data-version='{FrontVersion}'] td.golden-ap")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^0\.[0-6]\d\d vs 1\.000$"));
        // Back's against YuNet's, the active version when the fixture uploaded back.
        await Expect(page.Locator($"#versions-body tr[data-version='{fixture.BackVersion}'] td.golden-ap")).ToHaveTextAsync("1.000 vs 1.000");
        await Expect(page.Locator($"#versions-body tr[data-version='{fixture.BackVersion}'] td.golden-ap")).ToHaveAttributeAsync("title", "compared with " + fixture.YuNetVersion);
        // …and the instance follows (heartbeat) and the header shows what health serves, all without a reload.
        await Expect(page.Locator("#instances-body tr[data-converged=true] td").Nth(2)).ToHaveTextAsync(FrontVersion);
        await Expect(page.Locator("#header-model")).ToHaveTextAsync("serving " + FrontVersion);
        Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.__sameDocument"));
        await DetectAsync(5); // some traffic on the new version for the status charts

        // Roll back: the back model is active again.
        await page.ClickAsync("#rollback-button");
        await Expect(page.Locator("#action-message")).ToContainTextAsync("Rolled back: active is now " + fixture.BackVersion);
        await Expect(page.Locator("#models-active")).ToHaveTextAsync(fixture.BackVersion);
        await Expect(page.Locator("#header-model")).ToHaveTextAsync("serving " + fixture.BackVersion);

        // Canary: 25 % of clients to the front model.
        await page.SelectOptionAsync("#canary-version", FrontVersion);
        await page.FillAsync("#canary-percent", "25");
        await page.ClickAsync("#canary-set");
        await Expect(page.Locator("#models-canary")).ToHaveTextAsync(FrontVersion + " @ 25 %");
        await Expect(page.Locator($"#versions-body tr[data-version='{FrontVersion}']")).ToContainTextAsync("canary 25 %");
        await Expect(page.Locator("#instances-body tr[data-converged=true]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#models-convergence")).ToHaveTextAsync("1 of 1 instance on the pointer");
        Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.__sameDocument"));
        await ConsoleBrowserFixture.ScreenshotAsync(page, "console-models.png");

        await page.ClickAsync("#canary-clear");
        await Expect(page.Locator("#models-canary")).ToHaveTextAsync("off");
        await Expect(page.Locator("#canary-promote")).ToBeDisabledAsync();

        // Promote: a canary again, then the button makes it the active version and ends the split.
        await page.ClickAsync("#canary-set");
        await Expect(page.Locator("#models-canary")).ToHaveTextAsync(FrontVersion + " @ 25 %");
        await page.ClickAsync("#canary-promote");
        await Expect(page.Locator("#action-message")).ToContainTextAsync("Canary promoted: active is now " + FrontVersion);
        await Expect(page.Locator("#models-canary")).ToHaveTextAsync("off");
        await Expect(page.Locator("#models-active")).ToHaveTextAsync(FrontVersion);
        // Back to the back model for the tests that follow.
        await page.ClickAsync("#rollback-button");
        await Expect(page.Locator("#models-active")).ToHaveTextAsync(fixture.BackVersion);
        await Expect(page.Locator("#header-model")).ToHaveTextAsync("serving " + fixture.BackVersion);
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task T4_Status_charts_requests_latency_per_version_and_swaps()
    {
        var (page, errors) = await fixture.OpenAsync("#status");
        await Expect(page.Locator("#panel-status")).ToBeVisibleAsync();
        await Expect(page.Locator("#status-state")).ToHaveTextAsync("ok");
        await Expect(page.Locator("#status-model")).ToHaveTextAsync(fixture.BackVersion);
        await Expect(page.Locator("#status-instance")).Not.ToHaveTextAsync("–");

        // Traffic while the page polls (every 2 s), so requests/s has deltas to draw.
        var until = DateTime.UtcNow.AddSeconds(7);
        while (DateTime.UtcNow < until)
            await DetectAsync(2, "sample5.jpg");

        // Back and front served in the last minute; YuNet too while the Detect test's requests are that recent.
        await Expect(page.Locator($"#latency-body tr[data-version='{fixture.BackVersion}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"#latency-body tr[data-version='{FrontVersion}']")).ToBeVisibleAsync();
        Assert.True(long.Parse(await page.InnerTextAsync("#total-requests"), System.Globalization.NumberStyles.AllowThousands) >= 10);
        Assert.True(int.Parse(await page.InnerTextAsync("#total-swaps")) >= 3, "first load, upload, rollback");
        Assert.Equal("0", await page.InnerTextAsync("#total-swap-failures"));
        await Expect(page.Locator("#chart-rps path")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator("#chart-swaps path")).ToHaveCountAsync(2);
        // One legend entry per version the page has seen (after the "solid p50, dashed p99" key) and a p50 + p99
        // path for each, read in one go: the page redraws both together every 2 s.
        var counts = await page.EvaluateAsync<int[]>(
            "() => [document.querySelectorAll('#latency-legend li').length - 1, document.querySelectorAll('#chart-latency path').length]");
        Assert.InRange(counts[0], 2, 3);
        Assert.Equal(2 * counts[0], counts[1]);

        await ConsoleBrowserFixture.ScreenshotAsync(page, "console-status.png");
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task T5_The_same_page_works_under_the_functions_api_prefix()
    {
        // The Functions app serves these bytes at /api/console/ (ConsoleFunction → ConsoleHandler). The Functions
        // host cannot run here, so the browser gets them for that path from the handler's own asset table,
        // on the server's origin, and the page must find the API at /api (not /api/api).
        var page = await fixture.Browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.RouteAsync("**/api/console/**", async route =>
        {
            var path = new Uri(route.Request.Url).AbsolutePath["/api/console/".Length..];
            var asset = ConsoleAssets.Find(path);
            if (asset is null)
                await route.FulfillAsync(new() { Status = 404 });
            else
                await route.FulfillAsync(new() { Status = 200, ContentType = asset.ContentType, BodyBytes = asset.Content.ToArray() });
        });
        await page.GotoAsync(new Uri(fixture.Server.BaseAddress, "/api/console/").ToString());

        Assert.Equal("/api", await page.GetAttributeAsync("html", "data-api"));
        await Expect(page.Locator("#header-model")).ToHaveTextAsync("serving " + fixture.BackVersion);
        await page.FillAsync("#api-key", ConsoleBrowserFixture.FunctionKey);
        await page.ClickAsync("#key-form button[type=submit]");
        await page.SetInputFilesAsync("#detect-file", TestHttp.Image("grace_hopper_512x512.jpg"));
        await Expect(page.Locator("#detect-stage")).ToHaveAttributeAsync("data-faces", "1");
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task T6_Canary_plan_progress_pinned_detect_instance_traffic_and_the_metrics_link()
    {
        var (page, errors) = await fixture.OpenAsync("#models");
        await page.FillAsync("#api-key", ConsoleBrowserFixture.AdminKey);
        await page.ClickAsync("#key-form button[type=submit]");
        await Expect(page.Locator("#models-active")).ToHaveTextAsync(fixture.BackVersion);
        await Expect(page.Locator("#plan-progress")).ToBeHiddenAsync();

        // A plan started from the page: the canary at its first step, the steps and the start decision shown.
        await page.SelectOptionAsync("#canary-version", FrontVersion);
        await page.FillAsync("#plan-steps", "5,25,50");
        await page.FillAsync("#plan-dwell", "600");
        await page.ClickAsync("#plan-start");
        await Expect(page.Locator("#action-message")).ToContainTextAsync("Plan started: " + FrontVersion + " at 5 %, then 25 → 50 → 100 % every 00:10:00");
        await Expect(page.Locator("#models-canary")).ToHaveTextAsync(FrontVersion + " @ 5 %");
        await Expect(page.Locator("#plan-progress")).ToBeVisibleAsync();
        await Expect(page.Locator("#plan-progress")).ToHaveAttributeAsync("data-state", "running");
        await Expect(page.Locator("#plan-steps-list li")).ToContainTextAsync(new[] { "5 %", "25 %", "50 %", "100 % (promote)" });
        await Expect(page.Locator("#plan-steps-list li.current")).ToContainTextAsync("5 % — since");
        await Expect(page.Locator("#plan-decisions li[data-action=start]")).ToContainTextAsync("plan 5 → 25 → 50 → 100 %");

        // Readiness and traffic per instance come from the heartbeats: the instance is ready and reports the
        // requests sent to the back model.
        await DetectAsync(2);
        await Expect(page.Locator("#instances-body tr td").Nth(1)).ToHaveTextAsync("ready");
        await Expect(page.Locator("#instances-body td.traffic")).ToContainTextAsync(fixture.BackVersion + ": ");

        // Pinned detect: the Detect tab offers what this instance serves, and the pinned version answers.
        await page.ClickAsync("#tab-detect");
        await Expect(page.Locator("#detect-version option")).ToHaveCountAsync(3);
        await page.SelectOptionAsync("#detect-version", FrontVersion);
        await page.SetInputFilesAsync("#detect-file", TestHttp.Image("grace_hopper_512x512.jpg"));
        await Expect(page.Locator("#detect-model")).ToHaveTextAsync(FrontVersion);
        await page.SelectOptionAsync("#detect-version", fixture.BackVersion);
        await Expect(page.Locator("#detect-model")).ToHaveTextAsync(fixture.BackVersion);

        // Clearing the canary by hand ends the plan, recorded as cancelled.
        await page.ClickAsync("#tab-models");
        await page.ClickAsync("#canary-clear");
        await Expect(page.Locator("#models-canary")).ToHaveTextAsync("off");
        await Expect(page.Locator("#plan-progress")).ToHaveAttributeAsync("data-state", "cancelled");
        await Expect(page.Locator("#plan-decisions li[data-action=cancel]")).ToContainTextAsync("canary ended by hand");

        // The Status tab links to the server's Prometheus endpoint, which answers with the MogFace meter.
        await page.ClickAsync("#tab-status");
        var href = await page.GetAttributeAsync("#metrics-link", "href");
        Assert.Equal("/metrics", href);
        using var client = fixture.Server.CreateClient();
        var metrics = await client.GetStringAsync(href!.TrimStart('/'));
        Assert.Contains("mogface_detect_duration_milliseconds", metrics);
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    /// <summary>Detect requests over HTTP (the function key), as a client would send them.</summary>
    private async Task DetectAsync(int count, string image = "grace_hopper_512x512.jpg")
    {
        using var client = fixture.Server.CreateClient(ConsoleBrowserFixture.FunctionKey);
        for (var i = 0; i < count; i++)
        {
            using var response = await client.PostAsync("api/detect", TestHttp.ImageFile(image));
            Assert.Equal(200, (int)response.StatusCode);
        }
    }

    /// <summary>Pixels of the box colour on the canvas: the boxes are really drawn, not only listed.</summary>
    private static Task<int> BoxPixelsAsync(IPage page) => page.EvaluateAsync<int>("""
        () => {
          const c = document.getElementById('detect-canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] === 0x39 && d[i + 1] === 0xff && d[i + 2] === 0x6a) n++;
          return n;
        }
        """);
}
