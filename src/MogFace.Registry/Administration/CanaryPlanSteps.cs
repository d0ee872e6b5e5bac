

namespace MogFace.Registry.Administration;

/// <summary>The rules a plan's steps follow, shared by the admin route, the CLI and the registry.</summary>
public static class CanaryPlanSteps
{
    public static readonly IReadOnlyList<int> Default = [5, 25, 50, 100];

    /// <summary>
    /// Steps strictly ascending within 1..100 with at least one below 100; a final 100 (the promotion) is added
    /// when missing, so "5,25,50" and "5,25,50,100" are the same plan.
    /// </summary>
    /// <exception cref="ArgumentException">The steps break a rule (the message says which).</exception>
    public static IReadOnlyList<int> Validate(IReadOnlyList<int>? steps)
    {
        if (steps is null || steps.Count == 0)
            throw new ArgumentException("steps must list at least one canary percent, e.g. [5, 25, 50, 100].", nameof(steps));
        if (steps.Any(p => p is < 1 or > 100))
            throw new ArgumentException($"each step must be a percent within 1..100; got [{string.Join(", ", steps)}].", nameof(steps));
        if (steps.Zip(steps.Skip(1)).Any(pair => pair.Second <= pair.First))
            throw new ArgumentException($"steps must be strictly ascending; got [{string.Join(", ", steps)}].", nameof(steps));
        if (steps[0] == 100)
            throw new ArgumentException("a plan needs a step below 100 (100 is the promotion); to promote at once, use the promote route.", nameof(steps));
        return steps[^1] == 100 ? steps.ToArray() : [.. steps, 100];
    }

    /// <summary>Parses "5,25,50,100" (the CLI's --plan).</summary>
    public static IReadOnlyList<int> Parse(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var percent)
                ? percent
                : throw new ArgumentException($"'{part}' is not a whole percent.", nameof(text)))
            .ToArray();
}
