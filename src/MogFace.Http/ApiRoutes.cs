using MogFace.Registry.Telemetry;

namespace MogFace.Http;

/// <summary>One route of the HTTP contract: the function name, method, template under <c>/api</c>, and key level.</summary>
public sealed record ApiRoute(string Name, string Method, string Template, KeyLevel Key, string Summary);

/// <summary>
/// The HTTP contract of system.md, written once. The server maps these (<see cref="MogFaceApi"/>); the Functions
/// app declares the same routes with trigger attributes, its key middleware reads the levels from here, and a
/// test fails when a function's name, method, route or level differs from this table.
/// </summary>
public static class ApiRoutes
{
    public const string Prefix = "api";

    public static readonly ApiRoute Health = new("Health", "GET", "health", KeyLevel.Anonymous,
        "200 {status, modelVersion, instance} once a model is loaded, else 503 with Retry-After.");
    public static readonly ApiRoute Live = new("Live", "GET", "health/live", KeyLevel.Anonymous,
        "Liveness probe: 200 while the process answers, whatever the model or the registry.");
    public static readonly ApiRoute Ready = new("Ready", "GET", "health/ready", KeyLevel.Anonymous,
        "Readiness probe: 200 when a model is served (or none is registered yet) and the registry answered recently, else 503.");
    public static readonly ApiRoute Detect = new("Detect", "POST", "detect", KeyLevel.Function,
        "Image (raw body or multipart batch) → faces; annotate=true or Accept: image/* → annotated image.");
    public static readonly ApiRoute ListModels = new("ListModels", "GET", "models", KeyLevel.Admin,
        "Pointer, versions, rejected uploads and instances.");
    public static readonly ApiRoute UploadModel = new("UploadModel", "POST", "models", KeyLevel.Admin,
        "Upload weights (body = .onnx, ?name=): 201 version or 422 reason; ?async=true: 202 + Location of the upload's status.");
    public static readonly ApiRoute GetUpload = new("GetUpload", "GET", "models/uploads/{id}", KeyLevel.Admin,
        "The status of an asynchronous upload: validating, accepted, rejected or failed.");
    public static readonly ApiRoute ActivateModel = new("ActivateModel", "POST", "models/{version}/activate", KeyLevel.Admin,
        "Make a registered version active (roll forward or back).");
    public static readonly ApiRoute DeleteModel = new("DeleteModel", "DELETE", "models/{version}", KeyLevel.Admin,
        "Delete a version nothing refers to (204); 409 when active, canary, rollback target or a running plan's; 404 when unknown.");
    public static readonly ApiRoute RollbackModel = new("RollbackModel", "POST", "models/rollback", KeyLevel.Admin,
        "Active ← previous.");
    public static readonly ApiRoute SetCanary = new("SetCanary", "PUT", "models/canary", KeyLevel.Admin,
        "Route {percent} % of clients to {version}.");
    public static readonly ApiRoute PromoteCanary = new("PromoteCanary", "POST", "models/canary/promote", KeyLevel.Admin,
        "The canary becomes the active version and the split ends.");
    public static readonly ApiRoute StartCanaryPlan = new("StartCanaryPlan", "POST", "models/canary/plan", KeyLevel.Admin,
        "Start a canary plan {version, steps, dwell}: advanced, promoted or rolled back by itself on the instances' figures.");
    public static readonly ApiRoute ClearCanary = new("ClearCanary", "DELETE", "models/canary", KeyLevel.Admin,
        "End the canary split.");

    /// <summary>
    /// The operator console. The Functions app serves it under the prefix (<c>/api/console/</c>); the server at
    /// <c>/console/</c> and <c>/</c> (the server maps them in <c>ConsoleRoutes</c>, the Functions app in <c>ConsoleFunction</c>), so it is not in <see cref="Api"/>.
    /// </summary>
    public static readonly ApiRoute Console = new("Console", "GET", "console/{*path}", KeyLevel.Anonymous,
        "The operator console page (it asks for keys itself).");

    /// <summary>The routes both hosts serve under <c>/api</c>.</summary>
    public static IReadOnlyList<ApiRoute> Api { get; } =
        [Health, Live, Ready, Detect, ListModels, UploadModel, ActivateModel, DeleteModel, RollbackModel, SetCanary, ClearCanary, PromoteCanary, StartCanaryPlan, GetUpload];

    /// <summary>Every HTTP function of the Functions app.</summary>
    public static IReadOnlyList<ApiRoute> Functions { get; } = [.. Api, Console];

    /// <summary>The route of a Functions function name, or null for one that is not in the contract.</summary>
    public static ApiRoute? ByName(string name) => Functions.FirstOrDefault(r => r.Name == name);
}
