using Microsoft.Azure.Functions.Worker;
using MogFace.Registry.Administration;

namespace MogFace.Functions.Functions;

/// <summary>
/// The Functions app's canary plan decider: every 30 s, one look at the plan. The timer is a singleton across the
/// app's instances (the host holds a blob lease), and the decision is written If-Match the pointer's ETag anyway,
/// so a standalone server deciding on the same registry cannot make it act twice.
/// </summary>
public sealed class CanaryPlanFunction(ICanaryPlanDecider decider)
{
    [Function("DecideCanaryPlan")]
    public Task Decide([TimerTrigger("*/30 * * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        decider.DecideOnceAsync(cancellationToken);
}
