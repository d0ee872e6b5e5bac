using MogFace.Engine.Families;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Ingestion;

/// <summary>What validation found: a report for the version record, or a rejection code and reason.</summary>
internal sealed record ValidationResult(ValidationReport Report, string? Code, string? Reason, string? Family, ModelManifest? Manifest)
{
    public bool Passed => Code is null;
}
