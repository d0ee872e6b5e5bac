using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MogFace.Registry.Configuration;

namespace MogFace.Registry.Administration;

/// <summary>
/// The standalone server's canary plan decider: every <c>MogFace:CanaryDecisionInterval</c> (on the injected
/// <see cref="TimeProvider"/>) one <see cref="ICanaryPlanDecider.DecideOnceAsync"/>. Every replica runs it; the
/// pointer's ETag lets one of them act per decision. A failed look (storage down) is logged and tried next time.
/// </summary>
internal sealed class CanaryPlanService(ICanaryPlanDecider decider, IOptions<MogFaceOptions> options, TimeProvider time, ILogger<CanaryPlanService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.CanaryDecisionInterval, time, stoppingToken);
                await decider.DecideOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("The canary plan decider could not look at the plan; trying again next interval: {Error}", ex.Message);
            }
        }
    }
}
