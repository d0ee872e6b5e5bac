namespace MogFace.Registry.Storage;

/// <summary>The <c>code</c> of a rejection (a metric tag and a field of the records under <c>models/rejected/</c>).</summary>
public static class RejectionCodes
{
    public const string TooLarge = "too-large";
    public const string Empty = "empty";
    public const string BadManifest = "bad-manifest";
    public const string Unloadable = "unloadable";
    public const string UnknownSignature = "unknown-signature";
    public const string SmokeFailed = "smoke-failed";
    public const string NonFinite = "non-finite";
    public const string QualityGate = "quality-gate";
    public const string NotFound = "not-found";

    /// <summary>The golden-set AP falls more than <c>MogFace__AccuracyMargin</c> below the active version's.</summary>
    public const string AccuracyRegression = "accuracy-regression";

    /// <summary>Validating the model threw something the checks above do not name: refused, never a 500.</summary>
    public const string ValidationError = "validation-error";

    /// <summary>The model keeps a tensor in an external file (ONNX external data): uploads are single files.</summary>
    public const string ExternalData = "external-data";

    /// <summary>Validation did not finish within <c>MogFace__ValidationTimeout</c> (a graph that runs for hours).</summary>
    public const string ValidationTimeout = "validation-timeout";

    /// <summary>The blob is a manifest (<c>.json</c>): ignored, not recorded.</summary>
    public const string NotAModel = "not-a-model";

    /// <summary>Storage failed while registering: nothing was recorded, the upload can be retried.</summary>
    public const string StorageUnavailable = "storage-unavailable";

    /// <summary>
    /// Storage refused the request itself (400, e.g. a blob name it does not accept): nothing was recorded, and
    /// retrying the same request gets the same answer, so unlike <see cref="StorageUnavailable"/> it is final.
    /// </summary>
    public const string StorageRefused = "storage-refused";
}
