using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Administration;

/// <summary>Operator actions on the registry; every pointer change is a compare-and-swap.</summary>
internal sealed class ModelAdmin(ModelRegistry registry) : IModelAdmin
{
    public async Task<RegistryView> ListAsync(CancellationToken cancellationToken)
    {
        var pointer = registry.ReadPointerAsync(null, cancellationToken);
        var versions = registry.ListVersionsAsync(cancellationToken);
        var rejected = registry.ListRejectionsAsync(cancellationToken);
        var instances = registry.ListHeartbeatsAsync(cancellationToken);
        await Task.WhenAll(pointer, versions, rejected, instances);
        // A broken pointer is reported beside the rest: the versions are what the operator repairs it with.
        var read = await pointer;
        return new RegistryView(read.Document, await versions, await rejected, await instances)
        {
            PointerError = read.Status == PointerReadStatus.Unreadable ? new PointerUnreadableException(read.Error!).Message : null,
        };
    }

    public async Task<PointerDocument> ActivateAsync(string version, string reason, CancellationToken cancellationToken)
    {
        await RequireVersionAsync(version, cancellationToken);
        return await registry.ActivateAsync(version, string.IsNullOrWhiteSpace(reason) ? $"activate {version}" : reason, cancellationToken);
    }

    public Task<PointerDocument> RollbackAsync(CancellationToken cancellationToken) =>
        registry.UpdatePointerAsync(PointerHistory.Rollback, cancellationToken);

    public async Task<PointerDocument> SetCanaryAsync(string version, int percent, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        await RequireVersionAsync(version, cancellationToken);
        return await registry.UpdatePointerAsync(pointer =>
        {
            if (pointer.Active is null)
                throw new InvalidOperationException("There is no active version to run a canary against.");
            // A canary of the active version splits nothing: every request would meet the same model.
            if (pointer.Active == version)
                throw new CanaryIsActiveException(version);
            if (pointer.Canary == new CanarySplit(version, percent))
                return null;
            return pointer with { Canary = new CanarySplit(version, percent), Reason = $"canary {version} at {percent}%" };
        }, cancellationToken);
    }

    public Task<PointerDocument> ClearCanaryAsync(CancellationToken cancellationToken) =>
        registry.UpdatePointerAsync(pointer => pointer.Canary is null
            ? null
            : pointer with { Canary = null, Reason = $"canary {pointer.Canary.Version} ended" }, cancellationToken);

    public Task<PointerDocument> PromoteCanaryAsync(CancellationToken cancellationToken) =>
        registry.UpdatePointerAsync(pointer =>
        {
            var canary = pointer.Canary ?? throw new InvalidOperationException("No canary is running.");
            var reason = $"promote canary {canary.Version}";
            return PointerHistory.Activate(pointer with { Canary = null }, canary.Version, reason)
                ?? pointer with { Canary = null, Reason = reason };
        }, cancellationToken);

    private async Task RequireVersionAsync(string version, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(version) || version.Contains('/') || await registry.GetVersionAsync(version, cancellationToken) is null)
            throw new VersionNotFoundException(version);
    }
}
