using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using MogFace.Registry.Administration;
using MogFace.Registry.Configuration;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Http;

/// <summary><c>POST /api/models/canary/plan</c>: start a canary plan (admin key).</summary>
public static class CanaryPlanHandler
{
    private const string Example = """{"version":"…","steps":[5,25,50,100],"dwell":"00:05:00"}""";

    /// <summary>
    /// Body <c>{"version":"…","steps":[5,25,50,100],"dwell":"00:05:00"}</c> (steps default 5,25,50,100, dwell
    /// default MogFace:CanaryDwell): 200 with the pointer (canary at the first step, the plan beside it); 400 bad
    /// JSON, 422 bad steps or dwell or the active version, 404 unknown version, 409 no active version.
    /// </summary>
    public static async Task<IResult> StartAsync(HttpRequest request, IModelAdmin admin, IOptions<MogFaceOptions> options, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CanaryPlanRequest>(request, "The plan request", Example, cancellationToken);
        if (body is null || string.IsNullOrWhiteSpace(body.Version))
            return Problems.Create(422, Problems.InvalidParameter, "version is required.");
        IReadOnlyList<int> steps;
        try
        {
            steps = CanaryPlanSteps.Validate(body.Steps ?? CanaryPlanSteps.Default);
        }
        catch (ArgumentException ex)
        {
            return Problems.Create(422, Problems.InvalidParameter, ex.Message.Split(" (Parameter")[0]);
        }
        var dwell = body.Dwell ?? options.Value.CanaryDwell;
        if (dwell <= TimeSpan.Zero)
            return Problems.Create(422, Problems.InvalidParameter, $"dwell must be a positive duration such as \"00:05:00\"; got {dwell}.");
        return await ModelsHandlers.PointerActionAsync(token => admin.StartPlanAsync(body.Version, steps, dwell, token), cancellationToken, Problems.NoActiveVersion);
    }
}

public sealed record CanaryPlanRequest(string? Version, IReadOnlyList<int>? Steps, TimeSpan? Dwell);
