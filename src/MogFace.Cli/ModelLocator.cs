using MogFace.Engine.Families;
using MogFace.Engine;
using MogFace.Engine.Inference;

namespace MogFace.Cli;

/// <summary>Finds and loads the model a command runs: --model, else $MOGFACE_MODEL, else the repository default.</summary>
internal static class ModelLocator
{
    public const string DefaultModelRelativePath = "models/yunet/yunet-n.onnx";

    public static string Resolve(FileInfo? model)
    {
        if (model is not null)
            return model.Exists ? model.FullName : throw new CliException($"Model file not found: {model.FullName}");
        var fromEnvironment = Environment.GetEnvironmentVariable("MOGFACE_MODEL");
        if (!string.IsNullOrEmpty(fromEnvironment))
            return File.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment) : throw new CliException($"MOGFACE_MODEL points to a missing file: {fromEnvironment}");
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, DefaultModelRelativePath);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        throw new CliException($"No model given and the default ({DefaultModelRelativePath}) was not found; it is committed in the repository; pass --model to use another.");
    }

    /// <summary>Loads a model file with the manifest beside it (same name, .json) when there is one.</summary>
    /// <param name="concurrentRuns">Images the command runs at once: the sessions' threads are sized for it as the hosts size them.</param>
    public static async Task<FaceModel> LoadAsync(FileInfo? model, int concurrentRuns = 1, CancellationToken cancellationToken = default)
    {
        var path = Resolve(model);
        try
        {
            var factory = new SessionFactory(CliInferenceOptions.FromEnvironment(concurrentRuns));
            return await FaceModel.LoadFileAsync(factory, path, cancellationToken);
        }
        catch (ModelFormatException ex)
        {
            throw new CliException($"{path}: {ex.Message}");
        }
    }
}

/// <summary>A user-facing failure: printed as one line, exit code 2, no stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);
