using System.ComponentModel;
using System.Diagnostics;

namespace Mesh.Pki.Tests.Support;

/// <summary>Runs the real openssl binary; a missing binary fails the test with the install command.</summary>
internal static class OpenSsl
{
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("openssl did not start");
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"openssl is required by these tests but could not be started ({ex.Message}); install it: apt-get install -y openssl");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"openssl {string.Join(' ', args)} did not finish within 30 s");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }

    public static string RunOk(params string[] args)
    {
        var (code, output) = Run(args);
        Assert.True(code == 0, $"openssl {string.Join(' ', args)} exited {code}:\n{output}");
        return output;
    }

    /// <summary>openssl verify -CAfile ca.crt leaf.crt; returns (ok, output).</summary>
    public static (bool Ok, string Output) Verify(TempDir dir, string caPem, string leafPem, params string[] extra)
    {
        var ca = dir.Write("verify-ca.crt", caPem);
        var leaf = dir.Write("verify-leaf.crt", leafPem);
        var (code, output) = Run(["verify", .. extra, "-CAfile", ca, leaf]);
        return (code == 0 && output.Contains(": OK", StringComparison.Ordinal), output);
    }

    public static string Text(TempDir dir, string certPem)
    {
        var path = dir.Write("text.crt", certPem);
        return RunOk("x509", "-in", path, "-noout", "-text");
    }
}
