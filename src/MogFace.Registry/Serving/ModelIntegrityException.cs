using MogFace.Registry.Ingestion;

namespace MogFace.Registry.Serving;

/// <summary>Bytes that do not hash to what the registry says they are (a torn download, a corrupt file).</summary>
internal sealed class ModelIntegrityException(string message) : Exception(message);
