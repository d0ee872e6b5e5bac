using Azure;
using Microsoft.AspNetCore.Http;

namespace MogFace.Http;

/// <summary>
/// An admin route's work on the registry under a time budget: when storage fails or does not answer in time,
/// the route answers 503 problem+json with Retry-After at once (a <see cref="StorageUnavailableException"/>, mapped by
/// <see cref="ExceptionProblems"/>), like upload does, instead of an empty 500
/// after the SDK's retries (which took ~25 s with storage down).
/// </summary>
internal static class RegistryCall
{
    /// <summary>How long one admin request may spend on storage (listing included) before answering 503.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    public static async Task<IResult> RunAsync(Func<CancellationToken, Task<IResult>> action, CancellationToken requestAborted)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        budget.CancelAfter(Budget);
        try
        {
            return await action(budget.Token);
        }
        catch (Exception ex) when (!requestAborted.IsCancellationRequested && IsStorageFailure(ex))
        {
            var why = ex is OperationCanceledException ? $"no answer within {Budget.TotalSeconds:0} s" : FirstLine(ex.Message);
            throw new StorageUnavailableException($"The model registry is unavailable ({why}); nothing was changed, retry.", ex);
        }
    }

    private static bool IsStorageFailure(Exception ex) => ex switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.All(IsStorageFailure),
        RequestFailedException or HttpRequestException or IOException or TimeoutException or OperationCanceledException => true,
        _ => false,
    };

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
