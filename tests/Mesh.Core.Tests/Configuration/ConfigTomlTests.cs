using Mesh.Core.Configuration;
using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

/// <summary>TOML 1.1 as the configuration file sees it (Tomlyn underneath): positions of syntax errors and of values in every table form.</summary>
public sealed class ConfigTomlTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string FilePath => Path.Combine(_dir.Path, "mesh.toml");

    [Fact]
    public void Load_DuplicateKey_ReportsTheSecondDefinition()
    {
        var problem = Single(_dir, "[server]\nrole = \"hub\"\nrole = \"node\"\n");

        Assert.Null(problem.Key);
        Assert.Equal($"{FilePath}(3,1): error: The key `server.role` is already defined at (2,1) with `role = \"hub\"` and cannot be redefined", problem.ToString());
    }

    [Fact]
    public void Load_SectionWrittenTwice_ReportsTheSecondHeader()
    {
        var problem = Single(_dir, "[server]\nrole = \"hub\"\n\n[server]\nlisten = \"127.0.0.1:1\"\n");

        Assert.StartsWith($"{FilePath}(4,1): error: The key `server` is already defined at (1,1)", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnquotedString_PointsAtTheValue()
    {
        var problem = Single(_dir, "[server]\nrole = hub\n");

        Assert.Equal($"{FilePath}(2,8): error: Unexpected token `hub` for a value", problem.ToString());
    }

    [Fact]
    public void Load_BackslashInAWindowsPath_PointsAtTheBadEscape()
    {
        var problem = Single(_dir, "[server]\ndata_dir = \"C:\\data\"\n");

        Assert.Equal((2, 16), (problem.Location.Line, problem.Location.Column));
        Assert.Contains("Unexpected escape character [d]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_IntegerAbove64Bits_IsRejectedNotWrapped()
    {
        var problem = Single(_dir, "[mailbox]\nmax_payload_bytes = 0xFFFFFFFFFFFFFFFF\n");

        Assert.Equal((2, 21), (problem.Location.Line, problem.Location.Column));
        Assert.Contains("out of range for a 64-bit signed integer", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Toml11InlineSectionOverSeveralLines_IsReadWithPositions()
    {
        var problems = Problems(_dir, "internal_grpc = {\n  listen = \"127.0.0.1:6000\",\n  enabled = \"no\",\n  lisen = 1,\n}\n");

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Key == "internal_grpc.enabled" && (p.Location.Line, p.Location.Column) == (3, 13));
        Assert.Contains(problems, p => p.Key == "internal_grpc.lisen" && (p.Location.Line, p.Location.Column) == (4, 3));
    }

    [Fact]
    public void Load_DottedKeysIntoASubsection_AreReadWithPositions()
    {
        var problem = Single(_dir, "[internal_grpc]\nsecurity.mode = \"mtsl\"\nsecurity.cert_dir = \"/x\"\n");

        Assert.Equal("internal_grpc.security.mode", problem.Key);
        Assert.Equal((2, 17), (problem.Location.Line, problem.Location.Column));
    }
}
