namespace Mesh.Hub.Nodes.Join.Install;

internal static partial class InstallLog
{
    [LoggerMessage(EventId = 3101, EventName = "InstallPackageBuilt", Level = LogLevel.Information, Message = "Install package {Path} built: {Files} files, {Bytes} bytes in {Seconds:F1} s")]
    public static partial void PackageBuilt(ILogger logger, string path, int files, long bytes, double seconds);

    [LoggerMessage(EventId = 3102, EventName = "InstallDownload", Level = LogLevel.Information, Message = "Install download {File} by {Source}")]
    public static partial void Download(ILogger logger, string file, string source);
}
