using Microsoft.ML.OnnxRuntime;

namespace MogFace.Engine.Inference;

public static class FiniteCheck
{
    /// <summary>Null when every float of every output is finite, else which output holds what.</summary>
    public static string? FirstProblem(IReadOnlyList<string> names, IReadOnlyList<OrtValue> outputs)
    {
        for (var o = 0; o < outputs.Count; o++)
        {
            var values = outputs[o].GetTensorDataAsSpan<float>();
            for (var i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                    return $"output '{names[o]}' has a non-finite value ({values[i]}) at index {i}";
            }
            if (values.Length == 0)
                return $"output '{names[o]}' is empty";
        }
        return null;
    }
}
