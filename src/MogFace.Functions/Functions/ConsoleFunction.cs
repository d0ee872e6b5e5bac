using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using MogFace.Http.OperatorConsole;

namespace MogFace.Functions.Functions;

/// <summary>
/// <c>GET /api/console/{*path}</c> (anonymous): the operator console, the same embedded bytes and handler as
/// the standalone server's <c>/console/</c>. The page derives its API base from its own URL, so it calls
/// <c>/api/…</c> here too; admin and function keys are asked for on the page, never put in the URL.
/// </summary>
public sealed class ConsoleFunction
{
    [Function("Console")]
    public IResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "console/{*path}")] HttpRequest request,
        string? path) =>
        ConsoleHandler.Handle(request.HttpContext, path);
}
