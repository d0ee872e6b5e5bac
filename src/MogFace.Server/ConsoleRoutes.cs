using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MogFace.Http.OperatorConsole;

namespace MogFace.Server;

/// <summary>The standalone server's routes for the operator console (the Functions app declares ConsoleFunction).</summary>
public static class ConsoleRoutes
{
    /// <summary>
    /// Anonymous routes for the page: <c>GET /</c> redirects to <c>/console/</c>; <c>GET /console</c>,
    /// <c>/console/</c> and <c>/console/{file}</c> serve it.
    /// </summary>
    public static IEndpointRouteBuilder MapMogFaceConsole(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context) => Results.Redirect(context.Request.PathBase + "/console/"))
            .WithName("ConsoleRoot")
            .ExcludeFromDescription();
        // Through a Delegate: the Web SDK's route-handler analyzer crashes (AD0001) on this method group with a catch-all.
        Delegate page = ConsoleHandler.Handle;
        app.MapGet("/console/{*path}", page)
            .WithName("Console")
            .WithSummary("The operator console (static page and its assets).");
        return app;
    }
}
