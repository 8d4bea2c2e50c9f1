using System.Diagnostics;

namespace Mesh.IntegrationTests.Interop;

/// <summary>
/// The grpcio side of the interop tests: checks the prerequisites (failing with the apt package to install, never
/// skipping), generates the Python stubs once per test run and starts the scripts under interop/.
/// </summary>
internal static class Python
{
    public const string Interpreter = "/usr/bin/python3";
    private const string Protoc = "/usr/bin/protoc";
    private const string GrpcPythonPlugin = "/usr/bin/grpc_python_plugin";

    private static readonly Lazy<string> Stubs = new(GenerateStubs, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ScriptsDirectory => Path.Combine(AppContext.BaseDirectory, "interop");

    /// <summary>The directory with the generated *_pb2.py modules (created on first use).</summary>
    public static string StubsDirectory => Stubs.Value;

    public static PythonProcess Start(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(Path.Combine(ScriptsDirectory, script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONPATH"] = StubsDirectory;
        // grpcio must not pick up a proxy from the environment for loopback targets.
        start.Environment["no_proxy"] = "127.0.0.1,localhost";
        start.Environment.Remove("http_proxy");
        start.Environment.Remove("https_proxy");
        start.Environment.Remove("grpc_proxy");
        return new PythonProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start " + Interpreter));
    }

    /// <summary>Runs interop_client.py to completion and returns its result line.</summary>
    public static async Task<PythonResult> RunClientAsync(params string[] arguments)
    {
        await using var process = Start("interop_client.py", arguments);
        return await process.ReadResultAsync(TimeSpan.FromSeconds(60));
    }

    private static string GenerateStubs()
    {
        Require(File.Exists(Interpreter), $"{Interpreter} is missing: apt-get install -y python3");
        Require(File.Exists(Protoc), $"{Protoc} is missing: apt-get install -y protobuf-compiler");
        Require(File.Exists(GrpcPythonPlugin), $"{GrpcPythonPlugin} is missing: apt-get install -y protobuf-compiler-grpc");
        var (grpcOk, grpcOut) = Run(Interpreter, "-c", "import grpc; print(grpc.__version__)");
        Require(grpcOk, $"Python module 'grpc' is missing for {Interpreter}: apt-get install -y python3-grpcio ({grpcOut.Trim()})");
        var (pbOk, pbOut) = Run(Interpreter, "-c", "import google.protobuf; print(google.protobuf.__version__)");
        Require(pbOk, $"Python module 'google.protobuf' is missing for {Interpreter}: apt-get install -y python3-protobuf ({pbOut.Trim()})");

        var protos = Path.Combine(AppContext.BaseDirectory, "Protos");
        var output = Directory.CreateTempSubdirectory("mesh-grpc-pystubs-").FullName;
        var (ok, text) = Run(
            Protoc,
            "-I" + protos,
            "--python_out=" + output,
            "--grpc_python_out=" + output,
            "--plugin=protoc-gen-grpc_python=" + GrpcPythonPlugin,
            Path.Combine(protos, "interop_test.proto"),
            Path.Combine(protos, "health.proto"),
            Path.Combine(protos, "reflection.proto"),
            Path.Combine(protos, "reflection_v1.proto"),
            Path.Combine(protos, "mailbox.proto"));
        Require(ok, "protoc failed to generate the Python stubs: " + text);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(output, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return output;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Interop prerequisite missing (./test.sh installs it): " + message);
        }
    }

    private static (bool Ok, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            return (false, $"{file} timed out");
        }

        return (process.ExitCode == 0, stdout.Result + stderr.Result);
    }
}
