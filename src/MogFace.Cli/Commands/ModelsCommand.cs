using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MogFace.Engine.Json;
using MogFace.Registry.Administration;

namespace MogFace.Cli.Commands;

/// <summary>
/// <c>mogface models list|activate &lt;v&gt;|delete &lt;v&gt;|rollback|canary &lt;v&gt; &lt;percent&gt;|canary &lt;v&gt; --plan 5,25,50 [--dwell 2m]|canary --off|canary --promote</c> against the admin
/// API (<c>--url</c> / $MOGFACE_URL, default http://127.0.0.1:7071; <c>--key</c> / $MOGFACE_ADMIN_KEY).
/// Prints the JSON answer; a problem+json answer becomes one error line and exit code 2.
/// </summary>
internal static class ModelsCommand
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    // For people reading a terminal: no \u002B for '+' in timestamps.
    private static readonly JsonSerializerOptions Pretty = new(MogFaceJson.Indented) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = $"Service base URL (default: $MOGFACE_URL, else {DefaultUrl}).", Recursive = true };
        var key = new Option<string?>("--key") { Description = "Admin key (default: $MOGFACE_ADMIN_KEY).", Recursive = true };

        var list = new Command("list", "Pointer, versions, rejected uploads and instances.");
        list.SetAction((parse, ct) => CommandRunner.RunAsync(() =>
            SendAsync(parse.GetValue(url), parse.GetValue(key), HttpMethod.Get, "api/models", null, ct)));

        var version = new Argument<string>("version") { Description = "A registered version id." };
        var activate = new Command("activate", "Make a registered version active.") { version };
        activate.SetAction((parse, ct) => CommandRunner.RunAsync(() =>
            SendAsync(parse.GetValue(url), parse.GetValue(key), HttpMethod.Post, $"api/models/{Uri.EscapeDataString(parse.GetValue(version)!)}/activate", null, ct)));

        var delete = new Command("delete", "Delete a version nothing refers to (not active, canary or the rollback target).") { version };
        delete.SetAction((parse, ct) => CommandRunner.RunAsync(() =>
            SendAsync(parse.GetValue(url), parse.GetValue(key), HttpMethod.Delete, $"api/models/{Uri.EscapeDataString(parse.GetValue(version)!)}", null, ct,
                done: $"deleted {parse.GetValue(version)}")));

        var rollback = new Command("rollback", "Active ← previous.");
        rollback.SetAction((parse, ct) => CommandRunner.RunAsync(() =>
            SendAsync(parse.GetValue(url), parse.GetValue(key), HttpMethod.Post, "api/models/rollback", null, ct)));

        var canaryVersion = new Argument<string?>("version") { Arity = ArgumentArity.ZeroOrOne, Description = "The canary version." };
        var percent = new Argument<int?>("percent") { Arity = ArgumentArity.ZeroOrOne, Description = "Share of clients, 1..100." };
        var off = new Option<bool>("--off") { Description = "End the canary." };
        var promote = new Option<bool>("--promote") { Description = "Make the canary the active version and end the split." };
        var plan = new Option<string?>("--plan") { Description = "Canary percents to step through, e.g. 5,25,50,100 (100 = promote): the service advances, promotes or rolls back by itself." };
        var dwell = new Option<string?>("--dwell") { Description = "Time at each plan step: 90s, 2m, 1h or 00:02:00 (default: the service's MogFace:CanaryDwell)." };
        var canary = new Command("canary", "Start (version percent), plan (version --plan 5,25,50 --dwell 2m), end (--off) or promote (--promote) a canary.") { canaryVersion, percent, off, promote, plan, dwell };
        canary.SetAction((parse, ct) => CommandRunner.RunAsync(() =>
        {
            const string usage = "usage: mogface models canary <version> <percent> | mogface models canary <version> --plan 5,25,50,100 [--dwell 2m] | mogface models canary --off | mogface models canary --promote";
            var v = parse.GetValue(canaryVersion);
            var p = parse.GetValue(percent);
            if (parse.GetValue(off) && parse.GetValue(promote))
                throw new CliException(usage);
            if (parse.GetValue(plan) is { } steps)
            {
                if (string.IsNullOrEmpty(v) || p is not null || parse.GetValue(off) || parse.GetValue(promote))
                    throw new CliException(usage);
                var body = new Dictionary<string, object> { ["version"] = v, ["steps"] = ParseSteps(steps) };
                if (parse.GetValue(dwell) is { } d)
                    body["dwell"] = DurationText.Parse(d).ToString("c", System.Globalization.CultureInfo.InvariantCulture);
                return SendAsync(parse.GetValue(url), parse.GetValue(key), HttpMethod.Post, "api/models/canary/plan", JsonContent.Create(body), ct);
            }
            if (parse.GetValue(dwell) is not null)
                throw new CliException("--dwell goes with --plan; " + usage);
            if (parse.GetValue(off))
                return SendAsync(parse.GetValue(url), parse.GetValue(key), HttpMethod.Delete, "api/models/canary", null, ct);
            if (parse.GetValue(promote))
                return SendAsync(parse.GetValue(url), parse.GetValue(key), HttpMethod.Post, "api/models/canary/promote", null, ct);
            if (string.IsNullOrEmpty(v) || p is null)
                throw new CliException(usage);
            return SendAsync(parse.GetValue(url), parse.GetValue(key), HttpMethod.Put, "api/models/canary", JsonContent.Create(new { version = v, percent = p }), ct);
        }));

        return new Command("models", "Operate the model registry through the admin API.") { url, key, list, activate, delete, rollback, canary };
    }

    private static IReadOnlyList<int> ParseSteps(string text)
    {
        try
        {
            return CanaryPlanSteps.Parse(text);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"--plan: {ex.Message.Split(" (Parameter")[0]}");
        }
    }

    /// <param name="done">What to print for an answer without a body (204).</param>
    private static async Task<int> SendAsync(string? url, string? key, HttpMethod method, string path, HttpContent? content, CancellationToken ct, string? done = null)
    {
        var baseUrl = url ?? (Environment.GetEnvironmentVariable("MOGFACE_URL") is { Length: > 0 } u ? u : DefaultUrl);
        key ??= Environment.GetEnvironmentVariable("MOGFACE_ADMIN_KEY");
        if (!Uri.TryCreate(baseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var root))
            throw new CliException($"not a URL: {baseUrl}");
        using var http = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromMinutes(5) };
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (!string.IsNullOrEmpty(key))
            request.Headers.Add("x-functions-key", key);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"{method} {new Uri(root, path)}: {ex.Message}");
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                var detail = body;
                try
                {
                    if (JsonNode.Parse(body) is JsonObject problem)
                        detail = problem["detail"]?.GetValue<string>() ?? problem["title"]?.GetValue<string>() ?? body;
                }
                catch (JsonException) { }
                throw new CliException($"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
            }
            if (body.Length == 0)
            {
                Console.Out.WriteLine(done ?? $"{(int)response.StatusCode} {response.ReasonPhrase}");
                return 0;
            }
            try
            {
                Console.Out.WriteLine(JsonNode.Parse(body)?.ToJsonString(Pretty) ?? body);
            }
            catch (JsonException)
            {
                Console.Out.WriteLine(body);
            }
            return 0;
        }
    }
}
