namespace MogFace.Cli.Soak;

/// <param name="Photo">What the normal (measured) client sends, every time.</param>
/// <param name="LargePhoto">What the other good clients send.</param>
/// <param name="ServerPid">The server process whose RSS is sampled (/proc/&lt;pid&gt;/status).</param>
/// <param name="SwapVersions">Registered versions activated in turn by the swaps.</param>
/// <param name="Warmup">How long into the abuse phase "RSS after warm-up" is read.</param>
internal sealed record SoakSettings(
    byte[] Photo,
    byte[] LargePhoto,
    string FunctionKey,
    string AdminKey,
    int ServerPid,
    IReadOnlyList<string> SwapVersions,
    TimeSpan Duration,
    TimeSpan Baseline,
    TimeSpan Warmup,
    int Clients,
    int Swaps);
