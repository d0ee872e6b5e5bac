namespace MogFace.Engine.Text;

/// <summary>Exception messages as logs, heartbeats and answers show them.</summary>
public static class ExceptionText
{
    /// <summary>The first line only: the SDKs append request and response dumps after it.</summary>
    public static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
