using Mesh.Hosting;
using Mesh.Core.Configuration;
using Mesh.Hub.Access;
using Mesh.Hub.Web;

namespace Mesh.Hub.Access;

/// <summary>
/// At start: the root account takes <c>[admin] root_password_hash</c> when configured; otherwise the first start
/// creates it with a random password printed once on stdout (a plain line, never through the logger).
/// </summary>
internal sealed class RootAccountInitializer(MeshConfig config, IAccountStore store, TimeProvider time, RootPasswordOutput output) : IHostedService
{
    public const string RootUser = "root";

    private string ConfigHint => config.SourcePath ?? "<the hub's configuration file>";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (config.Admin.RootPasswordHash is { } hash)
        {
            if (!PasswordHasher.IsWellFormed(hash, out var error))
                throw new StartupException($"[admin] root_password_hash: {error}");
            await store.UpsertUserAsync(RootUser, AdminRoles.Root, hash, now, cancellationToken);
            return;
        }

        if (await store.GetUserAsync(RootUser, cancellationToken) is not null)
        {
            if (!await store.HasLoggedInAsync(RootUser, cancellationToken))
                output.Write($"mesh hub: log in to the web UI as 'root' with the one-time password printed when it was set (first start or mesh admin reset-password); lost it? run: mesh admin reset-password --config {ConfigHint}");
            return;
        }
        var password = PasswordHasher.NewPassword();
        await store.UpsertUserAsync(RootUser, AdminRoles.Root, PasswordHasher.Hash(password), now, cancellationToken);
        output.Write($"mesh hub: created the web UI account 'root' with the one-time password {password} (shown only now; set [admin] root_password_hash to choose your own)");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Where the one-time root password goes: the process's stdout.</summary>
public class RootPasswordOutput
{
    public virtual void Write(string line) => Console.Out.WriteLine(line);
}
