namespace MogFace.Engine.Families;

/// <summary>The model file is not something this service can serve (wrong signature, unknown family…).</summary>
public sealed class ModelFormatException(string message, Exception? inner = null) : Exception(message, inner);
