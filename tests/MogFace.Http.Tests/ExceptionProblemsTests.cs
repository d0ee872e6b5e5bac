using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Engine.Imaging;
using MogFace.Http;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Storage;
using MogFace.Registry.Administration;

namespace MogFace.Http.Tests;

/// <summary>The one exception → problem+json mapping both hosts apply: each answer written as a host writes it.</summary>
public class ExceptionProblemsTests
{
    public static TheoryData<Exception, int, string> Mapped() => new()
    {
        { new HttpProblemException(415, Problems.UnsupportedMediaType, "no"), 415, Problems.UnsupportedMediaType },
        { HttpProblemException.TooLarge(10), 413, Problems.TooLarge },
        { new ImageInputException(ImageInputError.TooManyPixels, "big"), 422, Problems.TooManyPixels },
        { new ImageInputException(ImageInputError.UnsupportedFormat, "gif"), 415, Problems.UnsupportedMediaType },
        { new BadHttpRequestException("too big", 413), 413, Problems.TooLarge },
        { new BadHttpRequestException("truncated", 400), 400, Problems.MalformedRequest },
        { new StorageUnavailableException("down"), 503, RejectionCodes.StorageUnavailable },
        { new VersionNotFoundException("v9"), 404, Problems.VersionNotFound },
        { new PointerUnreadableException("bad json"), 409, Problems.PointerUnreadable },
        { new CanaryIsActiveException("v1"), 422, Problems.CanaryIsActive },
        // Meanings that depend on the route are not guessed by type: a server failure unless the route translated it.
        { new InvalidOperationException("no previous"), 500, Problems.InternalError },
        { new ArgumentOutOfRangeException("percent"), 500, Problems.InternalError },
        { new JsonException("not json"), 500, Problems.InternalError },
        { new OperationCanceledException(), 500, Problems.InternalError },
    };

    [Theory]
    [MemberData(nameof(Mapped))]
    public async Task Each_exception_has_one_answer(Exception exception, int status, string code)
    {
        var context = NewContext();

        var answer = await WriteAsync(context, ExceptionProblems.ToProblem(exception, context)!);

        Assert.Equal(status, context.Response.StatusCode);
        Assert.StartsWith("application/problem+json", context.Response.ContentType);
        Assert.Equal(code, answer.GetProperty("code").GetString());
        Assert.Equal(status == 500, ExceptionProblems.IsServerFailure(exception, context));
    }

    [Fact]
    public async Task Storage_unavailable_asks_for_a_retry()
    {
        var context = NewContext();

        await WriteAsync(context, ExceptionProblems.ToProblem(new StorageUnavailableException("down"), context)!);

        Assert.Equal(Problems.StorageRetryAfterSeconds.ToString(), context.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_server_failure_names_the_type_and_the_served_version_not_the_message()
    {
        var context = NewContext();
        context.Response.Headers[DetectHandler.ModelVersionHeader] = "v7";

        var answer = await WriteAsync(context, ExceptionProblems.ToProblem(new NullReferenceException("secret internals"), context)!);

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Contains(nameof(NullReferenceException), answer.GetProperty("detail").GetString());
        Assert.DoesNotContain("secret internals", answer.GetRawText());
        Assert.Equal("v7", answer.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task A_client_that_left_gets_no_answer_and_the_exception_goes_on()
    {
        using var abort = new CancellationTokenSource();
        var context = NewContext();
        context.RequestAborted = abort.Token;
        await abort.CancelAsync();

        Assert.Null(ExceptionProblems.ToProblem(new OperationCanceledException(abort.Token), context));
        Assert.False(ExceptionProblems.IsServerFailure(new OperationCanceledException(abort.Token), context));
        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            ExceptionProblems.RunAsync(context, () => throw new OperationCanceledException(abort.Token)));
    }

    [Fact]
    public async Task RunAsync_answers_a_handler_s_exception_and_passes_its_result()
    {
        var context = NewContext();

        var refused = await ExceptionProblems.RunAsync(context, () => throw new VersionNotFoundException("v9"));
        var passed = await ExceptionProblems.RunAsync(context, () => Task.FromResult(Results.Ok()));

        await WriteAsync(context, refused);
        Assert.Equal(404, context.Response.StatusCode);
        Assert.Same(Results.Ok().GetType(), passed.GetType());
    }

    private static DefaultHttpContext NewContext() => new()
    {
        RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
        Response = { Body = new MemoryStream() },
    };

    private static async Task<JsonElement> WriteAsync(HttpContext context, IResult result)
    {
        await result.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        using var document = await JsonDocument.ParseAsync(context.Response.Body);
        return document.RootElement.Clone();
    }
}
