namespace MogFace.Tests.Shared;

/// <summary>This test run's scratch folder (model caches); the Azurite fixture deletes it at the end.</summary>
public static class TestTemp
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "mogface-tests", Guid.NewGuid().ToString("N")[..8]);

    public static void Delete()
    {
        try
        {
            if (Directory.Exists(Root))
                Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
