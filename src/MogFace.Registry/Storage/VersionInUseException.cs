namespace MogFace.Registry.Storage;

/// <summary>A version the pointer still refers to cannot be deleted; <see cref="Code"/> says how it is referred to.</summary>
public sealed class VersionInUseException(string version, string code, string detail) : Exception(detail)
{
    public const string Active = "version-active";
    public const string Canary = "version-canary";
    public const string RollbackTarget = "version-rollback-target";
    public const string InPlan = "version-in-plan";

    public string Version { get; } = version;

    /// <summary>One of <see cref="Active"/>, <see cref="Canary"/>, <see cref="RollbackTarget"/>, <see cref="InPlan"/>: the problem's <c>code</c>.</summary>
    public string Code { get; } = code;
}
