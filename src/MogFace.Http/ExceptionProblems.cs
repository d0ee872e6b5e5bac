using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MogFace.Engine.Imaging;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;
using MogFace.Registry.Administration;

namespace MogFace.Http;

/// <summary>
/// The one exception → problem+json mapping of the API, applied once per host (the server's route-group filter
/// <see cref="ExceptionProblemFilter"/>, the Functions app's <see cref="RunAsync"/> around each function), so handlers throw instead of each
/// catching. Only exceptions whose meaning holds on every route are mapped by type here; a type whose answer
/// depends on the route (InvalidOperationException from a pointer change, request-body JSON) is turned into an
/// <see cref="HttpProblemException"/> where that meaning is known. Anything else is a server failure: 500
/// <c>internal-error</c>, logged, the body naming no more than the exception type.
/// </summary>
public static class ExceptionProblems
{
    /// <summary>The problem for <paramref name="exception"/>; null when the client has left (nothing to answer: rethrow).</summary>
    public static IResult? ToProblem(Exception exception, HttpContext context) => exception switch
    {
        OperationCanceledException when context.RequestAborted.IsCancellationRequested => null,
        HttpProblemException problem => Problems.From(problem),
        ImageInputException image => Problems.From(image),
        // Kestrel's own refusal (its body size limit, a truncated chunked body…).
        BadHttpRequestException bad => bad.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? Problems.Create(StatusCodes.Status413PayloadTooLarge, Problems.TooLarge, bad.Message)
            : Problems.Create(StatusCodes.Status400BadRequest, Problems.MalformedRequest, bad.Message),
        StorageUnavailableException storage => Problems.StorageUnavailable(storage.Message),
        VersionNotFoundException missing => Problems.Create(StatusCodes.Status404NotFound, Problems.VersionNotFound, missing.Message),
        VersionInUseException inUse => Problems.Create(StatusCodes.Status409Conflict, inUse.Code, inUse.Message,
            new Dictionary<string, object?> { ["version"] = inUse.Version }),
        PointerUnreadableException unreadable => Problems.Create(StatusCodes.Status409Conflict, Problems.PointerUnreadable, unreadable.Message),
        CanaryIsActiveException canary => Problems.Create(StatusCodes.Status422UnprocessableEntity, Problems.CanaryIsActive, canary.Message,
            new Dictionary<string, object?> { ["version"] = canary.Version }),
        _ => InternalError(exception, context),
    };

    /// <summary>True when <paramref name="exception"/> is answered 500 (a failure of the server, not of the request).</summary>
    public static bool IsServerFailure(Exception exception, HttpContext context) =>
        exception is not (OperationCanceledException or HttpProblemException or ImageInputException or BadHttpRequestException
            or StorageUnavailableException or VersionNotFoundException or VersionInUseException or PointerUnreadableException or CanaryIsActiveException)
        || (exception is OperationCanceledException && !context.RequestAborted.IsCancellationRequested);

    /// <summary>Runs a handler and answers its exception as problem+json (for callers outside a host's pipeline).</summary>
    public static async Task<IResult> RunAsync(HttpContext context, Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (Exception ex)
        {
            return ToProblem(ex, context) ?? throw ex.Rethrown();
        }
    }

    private static IResult InternalError(Exception exception, HttpContext context)
    {
        // The served version, when one was leased, is named in the response header already (detect).
        var version = context.Response.Headers[DetectHandler.ModelVersionHeader].ToString();
        context.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger(typeof(ExceptionProblems))
            .LogError(exception, "{Method} {Path} failed on {Version}", context.Request.Method, context.Request.Path, version);
        return Problems.Create(StatusCodes.Status500InternalServerError, Problems.InternalError,
            $"The request failed on the server ({exception.GetType().Name}); the failure is logged.",
            new Dictionary<string, object?> { ["modelVersion"] = version.Length > 0 ? version : null });
    }
}

internal static class RethrowExtensions
{
    /// <summary>For an expression-bodied rethrow that keeps the original stack trace.</summary>
    public static Exception Rethrown(this Exception exception)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
        return exception;
    }
}

/// <summary>Registry storage failed or did not answer in time (<see cref="RegistryCall"/>): 503 with Retry-After, nothing was changed.</summary>
public sealed class StorageUnavailableException(string detail, Exception? inner = null) : Exception(detail, inner);

/// <summary>The server's endpoint filter for <see cref="ExceptionProblems"/>, added once on the API route group.</summary>
public sealed class ExceptionProblemFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception ex)
        {
            return ExceptionProblems.ToProblem(ex, context.HttpContext) ?? throw ex.Rethrown();
        }
    }
}
