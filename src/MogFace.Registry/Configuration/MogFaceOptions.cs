using MogFace.Engine.Imaging;
using MogFace.Engine.Inference;

namespace MogFace.Registry.Configuration;

/// <summary>The <c>MogFace</c> configuration section (environment: <c>MogFace__Key</c>).</summary>
public sealed class MogFaceOptions
{
    public const string Section = "MogFace";

    public string WeightsContainer { get; set; } = "weights";
    public string ModelsContainer { get; set; } = "models";

    /// <summary>How often each instance polls <c>models/pointer.json</c> (±20 % jitter).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Auto;

    /// <summary>
    /// Threads inside one operator of a serving session; 0 (default) = the cores divided among the
    /// <see cref="MaxConcurrentDetections"/> runs admitted at once (at least one), so that concurrent runs do not
    /// oversubscribe the CPU; with the default limiter (one run per core) that is 1. Validation sessions always use 1.
    /// </summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads across independent operators; 0 (default) runs operators in sequence, &gt; 0 in parallel on that many threads.</summary>
    public int InterOpThreads { get; set; }

    /// <summary>The CUDA device sessions run on when the provider is CUDA (default 0).</summary>
    public int CudaDeviceId { get; set; }

    /// <summary>Local content-addressed model cache (default: a folder under the temp directory).</summary>
    public string? CacheDirectory { get; set; }

    public long MaxImageBytes { get; set; } = ImageLimits.DefaultMaxBytes;
    public long MaxImagePixels { get; set; } = ImageLimits.DefaultMaxPixels;

    /// <summary>Largest weights file ingestion accepts (default 1 GiB; MogFace-large is ~340 MB).</summary>
    public long MaxModelBytes { get; set; } = 1L << 30;

    /// <summary>Images decoded and run at once per instance; 0 (default) = one per processor. See DetectionSlots.</summary>
    public int MaxConcurrentDetections { get; set; }

    /// <summary>
    /// Detect requests admitted at once per instance — reading their body, waiting for a detection slot or
    /// running; 0 (default) = twice <see cref="MaxConcurrentDetections"/>. Admission comes before any body byte is
    /// buffered, so this × the largest body (<see cref="MaxBatchBytes"/>) bounds body memory. See DetectAdmission.
    /// </summary>
    public int MaxConcurrentRequests { get; set; }

    /// <summary>
    /// Detect requests whose Content-Length is at most this (default 1 MiB: an ordinary photo) are admitted in a lane
    /// of their own, 4 × <see cref="MaxConcurrentRequests"/> wide, so that large uploads do not make them wait; 0 = one
    /// lane for all. See DetectAdmission.
    /// </summary>
    public long SmallRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>Detect requests that may wait for admission (holding a connection, no memory); past it 503 <c>overloaded</c>. Default 32.</summary>
    public int MaxQueuedRequests { get; set; } = 32;

    /// <summary>Largest multipart detect body, all files together (default 64 MiB; each file is also capped at <see cref="MaxImageBytes"/>).</summary>
    public long MaxBatchBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Images whose header asks for more pixels than this (default 4 MP) draw on <see cref="DecodeBudgetPixels"/>
    /// before they are decoded; smaller ones never wait for it. See DecodeBudget.
    /// </summary>
    public long LargeImagePixels { get; set; } = 4_000_000;

    /// <summary>
    /// Detect requests whose images' headers hold at most this many pixels together (default 1 MP: crops, thumbnails,
    /// webcam frames) are small: while they keep arriving a detection slot is kept for them, and a freed slot goes to
    /// them first, so they do not wait out a large photo's inference. See DetectionSlots.
    /// </summary>
    public long SmallImagePixels { get; set; } = 1_000_000;

    /// <summary>Pixels of large images decoded at once per instance; past it 503 <c>overloaded</c>. 0 (default) = <see cref="MaxImagePixels"/>.</summary>
    public long DecodeBudgetPixels { get; set; }

    /// <summary>Instance id override; default from the host environment (CONTAINER_APP_REPLICA_NAME, WEBSITE_INSTANCE_ID) or the machine name.</summary>
    public string? InstanceId { get; set; }

    /// <summary>
    /// Whether ingestion runs the probe-image quality gate (default true). A manifest can switch it off for
    /// one upload with <c>"qualityGate": false</c>; false here switches it off for all.
    /// </summary>
    public bool QualityGate { get; set; } = true;

    /// <summary>
    /// How far (in AP@0.4 on the embedded golden set, 0–1) a candidate may fall below the active version before
    /// ingestion rejects it as <c>accuracy-regression</c> (default 0.02). Runs with the quality gate; a manifest's
    /// <c>"gate": "warn"</c> turns the rejection into a warning kept with the version.
    /// </summary>
    public double AccuracyMargin { get; set; } = 0.02;

    /// <summary>How long validating one upload may take before it is rejected as <c>validation-timeout</c> (default 60 s).</summary>
    public TimeSpan ValidationTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Uploads validated at once (default 2): a slow one does not hold up the others.</summary>
    public int MaxConcurrentValidations { get; set; } = 2;

    /// <summary>First delay before a failed model load is retried (doubles up to <see cref="LoadRetryMaxDelay"/>, jittered).</summary>
    public TimeSpan LoadRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan LoadRetryMaxDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often an ingestion that failed on storage is retried in place (blob trigger and container scan) before
    /// it is handed back to the host's retries (trigger) or the next scan (server). Default 4.
    /// </summary>
    public int IngestionRetries { get; set; } = 4;

    /// <summary>First delay of those retries (doubles each time, jittered; default 2 s).</summary>
    public TimeSpan IngestionRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the registry may go unanswered before <c>/api/health/ready</c> answers 503 (default 2 min). Generous
    /// on purpose: a storage outage reaches every replica at once, and the loaded models keep serving through it.
    /// </summary>
    public TimeSpan RegistryStaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long an instance's last heartbeat is kept (default 1 h): past it the instance has stopped or died, leaves
    /// <c>GET /api/models</c> and its heartbeat blob is deleted, so scaled-in replicas do not pile up.
    /// </summary>
    public TimeSpan HeartbeatTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a canary plan serves each step before the decider may advance it (default 5 min; a plan may set its own).</summary>
    public TimeSpan CanaryDwell { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far the canary's error rate (0–1) may exceed the stable version's before the plan rolls back (default 0.01).</summary>
    public double CanaryErrorMargin { get; set; } = 0.01;

    /// <summary>How far the canary's p99 may exceed the stable version's, as a fraction of it, before the plan rolls back (default 0.5 = +50 %).</summary>
    public double CanaryLatencyMargin { get; set; } = 0.5;

    /// <summary>Canary requests (all instances together) the decider needs in the window before it judges (default 50).</summary>
    public int CanaryMinRequests { get; set; } = 50;

    /// <summary>The window each instance reports its per-version requests, errors and p99 over, in its heartbeat (default 5 min).</summary>
    public TimeSpan CanaryWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the server's canary plan decider looks at the plan (default 30 s); the Functions app's timer runs every 30 s.</summary>
    public TimeSpan CanaryDecisionInterval { get; set; } = TimeSpan.FromSeconds(30);

    public ImageLimits ImageLimits => new() { MaxBytes = MaxImageBytes, MaxPixels = MaxImagePixels };

    /// <summary>How serving sessions are created: <see cref="IntraOpThreads"/> resolved against the detection limiter.</summary>
    public InferenceOptions Inference => new()
    {
        ExecutionProvider = ExecutionProvider,
        IntraOpThreads = InferenceThreads.IntraOpFor(IntraOpThreads, InferenceThreads.ConcurrentRuns(MaxConcurrentDetections)),
        InterOpThreads = InterOpThreads,
        CudaDeviceId = CudaDeviceId,
    };
}
