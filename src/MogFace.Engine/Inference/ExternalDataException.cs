namespace MogFace.Engine.Inference;

/// <summary>A model file keeps a tensor outside itself (<see cref="ExternalDataScan"/>): refused, permanently.</summary>
public sealed class ExternalDataException(string tensor)
    : Exception($"The model keeps tensor '{tensor}' in an external file; only self-contained .onnx files are accepted (save it with onnx.save(model, path, save_as_external_data=False)).")
{
    public string Tensor { get; } = tensor;
}
