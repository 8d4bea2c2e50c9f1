using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Mesh.Core.Configuration;

namespace Mesh.Hub.Nodes.Join.Install;

/// <summary>
/// The mesh build this hub runs, as the install script downloads it: a tar.gz of the folder the running binary was
/// started from (<see cref="AppContext.BaseDirectory"/> — the published folder, or the single file of a single-file
/// build), without the hub's data and certificate folders should they sit inside it. Made once per process on first
/// request, into <c>data_dir/join/</c>.
/// </summary>
internal sealed class MeshPackage(MeshConfig config, ILogger<MeshPackage> logger)
{
    private readonly Lazy<Task<(string Path, string Sha256)>> _built = new(() => Task.Run(() => Build(config, logger)));

    /// <summary>The platform this hub's build runs on (linux-x64, linux-arm64): the only one it can serve.</summary>
    public static string Platform { get; } = RuntimeInformation.RuntimeIdentifier switch
    {
        var rid when rid.EndsWith("-x64", StringComparison.Ordinal) => "linux-x64",
        var rid when rid.EndsWith("-arm64", StringComparison.Ordinal) => "linux-arm64",
        var rid => rid,
    };

    public static string FileName => $"mesh-{Platform}.tar.gz";

    public Task<(string Path, string Sha256)> GetAsync() => _built.Value;

    private static (string Path, string Sha256) Build(MeshConfig config, ILogger logger)
    {
        var source = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        var excluded = new[] { config.Server.DataDir, config.InternalGrpc.Security.CertDir }
            .Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p)) + Path.DirectorySeparatorChar).ToArray();
        var folder = Path.Combine(config.Server.DataDir, "join");
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, FileName);
        var temp = target + ".tmp";
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var count = 0;
        using (var file = File.Create(temp))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var path in Directory.EnumerateFiles(source, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }).Order(StringComparer.Ordinal))
            {
                if (excluded.Any(e => path.StartsWith(e, StringComparison.Ordinal)))
                    continue;
                tar.WriteEntry(path, Path.GetRelativePath(source, path).Replace(Path.DirectorySeparatorChar, '/'));
                count++;
            }
        }

        File.Move(temp, target, overwrite: true);
        string sha;
        using (var read = File.OpenRead(target))
            sha = Convert.ToHexStringLower(SHA256.HashData(read));
        var bytes = new FileInfo(target).Length;
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        InstallLog.PackageBuilt(logger, target, count, bytes, seconds);
        return (target, sha);
    }
}
