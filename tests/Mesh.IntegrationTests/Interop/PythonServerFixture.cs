
namespace Mesh.IntegrationTests.Interop;

/// <summary>Two grpcio servers (interop/interop_server.py): one TLS, one mutual TLS, both with the test PKI.</summary>
public sealed class PythonServerFixture : IAsyncLifetime
{
    private PythonProcess? _tls;
    private PythonProcess? _mtls;

    public int TlsPort { get; private set; }

    public int MutualTlsPort { get; private set; }

    internal PythonProcess Process(string mode) => (mode == "mtls" ? _mtls : _tls)!;

    public int Port(string mode) => mode == "mtls" ? MutualTlsPort : TlsPort;

    public async Task InitializeAsync()
    {
        var pki = TestPki.Shared;
        _tls = Python.Start("interop_server.py", "--mode", "tls", "--cert", pki.ServerCertPem, "--key", pki.ServerKeyPem);
        _mtls = Python.Start("interop_server.py", "--mode", "mtls", "--cert", pki.ServerCertPem, "--key", pki.ServerKeyPem, "--ca", pki.CaPem);
        TlsPort = await ReadPortAsync(_tls);
        MutualTlsPort = await ReadPortAsync(_mtls);
    }

    public async Task DisposeAsync()
    {
        if (_tls is not null)
        {
            await _tls.DisposeAsync();
        }

        if (_mtls is not null)
        {
            await _mtls.DisposeAsync();
        }
    }

    private static async Task<int> ReadPortAsync(PythonProcess process)
    {
        var line = await process.WaitForLineAsync("PORT ", TimeSpan.FromSeconds(30));
        return int.Parse(line.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture);
    }
}
