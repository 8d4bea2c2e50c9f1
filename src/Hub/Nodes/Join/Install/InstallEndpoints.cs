namespace Mesh.Hub.Nodes.Join.Install;

/// <summary>
/// What a new machine downloads without logging in (docs/security.md, "What the hub serves without a login"): the
/// install script, the CA certificate (public; the script checks it against the pin in the token), the mesh build
/// and its SHA-256, and the systemd unit. None of it is secret: the token is only in the command the Join page shows.
/// </summary>
internal static class InstallEndpoints
{
    public static void MapJoinInstall(this WebApplication app)
    {
        var join = app.MapGroup("/join").AllowAnonymous();
        join.MapGet("/install.sh", (HttpRequest request, JoinAddressResolver addresses) =>
            Results.Text(InstallFiles.ScriptFor(addresses.Resolve(request).Command.WebBase), "text/x-shellscript; charset=utf-8"));
        join.MapGet("/ca.crt", (InternalApi.HubIdentity identity) => Results.Text(identity.Authority.CertificatePem, "application/x-pem-file"));
        join.MapGet("/mesh-node.service", () => Results.Text(InstallFiles.NodeUnit, "text/plain; charset=utf-8"));
        join.MapGet("/mesh.sysusers.conf", () => Results.Text(InstallFiles.SysUsers, "text/plain; charset=utf-8"));
        // The build and its checksum (mesh-…); any other name is 404 in DownloadAsync. No regex route constraint: the
        // slim host (and Native AOT) does not register one, and the literal routes above take precedence anyway.
        join.MapGet("/{file}", DownloadAsync);
    }

    private static async Task<IResult> DownloadAsync(string file, HttpContext http, MeshPackage package, ILogger<MeshPackage> logger)
    {
        var name = MeshPackage.FileName;
        if (file != name && file != name + ".sha256")
        {
            return file.StartsWith("mesh-", StringComparison.Ordinal) && (file.EndsWith(".tar.gz", StringComparison.Ordinal) || file.EndsWith(".tar.gz.sha256", StringComparison.Ordinal))
                ? Results.Text($"this hub runs {MeshPackage.Platform} and serves only that build ({name}); install mesh on this machine by hand (docs/deploy.md)\n", statusCode: StatusCodes.Status404NotFound)
                : Results.NotFound();
        }

        var (path, sha) = await package.GetAsync();
        if (file != name)
            return Results.Text($"{sha}  {name}\n");
        var source = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        InstallLog.Download(logger, name, source);
        return Results.File(path, "application/gzip", name, enableRangeProcessing: true);
    }
}
