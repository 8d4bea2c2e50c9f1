using System.Globalization;
using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Nodes.Join;

/// <summary>POST /api/admin/join-tokens with any ttl and uses: 201 inside the ranges, else 400 naming the range; never 500.</summary>
public sealed class JoinTokenApiInputTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    public async Task InitializeAsync() => _hub = await TestHub.StartAsync(mode: "tls");

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Theory]
    [InlineData("""{"ttl":"99999999999h"}""", "ttl", "from 1m to 7d")]
    [InlineData("""{"ttl":"99999999999999999999999d"}""", "ttl", "from 1m to 7d")]
    [InlineData("""{"ttl":"9223372036854775807ms"}""", "ttl", "from 1m to 7d")]
    [InlineData("""{"uses":0}""", "uses", "from 1 to 1000")]
    [InlineData("""{"uses":-2147483648}""", "uses", "from 1 to 1000")]
    public async Task Create_OutOfRange_400NamingTheRange(string json, string field, string fragment)
    {
        var response = await PostAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains($"\"{field}\"", body, StringComparison.Ordinal);
        Assert.Contains(fragment, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"uses":99999999999}""")]
    [InlineData("""{"uses":1e400}""")]
    [InlineData("""{"uses":"many"}""")]
    public async Task Create_UsesNotAnInt32_400(string json)
    {
        var response = await PostAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public void Create_AnyTtlAndUses_201Or400_Never500()
    {
        var ttl = Gen.OneOf(
            Gen.Choose(0, 20_000).Select(n => n.ToString(CultureInfo.InvariantCulture)),
            Gen.Choose(1, 25).SelectMany(n => Gen.ArrayOf(Gen.Elements("0123456789".ToCharArray()), n)).Select(c => new string(c)))
            .SelectMany(number => Gen.Elements("ms", "s", "m", "h", "d", "", "x").Select(unit => number + unit));
        var uses = Gen.OneOf(Gen.Choose(-5, 1100).Select(n => n.ToString(CultureInfo.InvariantCulture)),
            Gen.Elements("2147483647", "2147483648", "-2147483649", "99999999999999999999"));
        var cases = ttl.SelectMany(t => uses.Select(u => (t, u)));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var response = PostAsync($$"""{"ttl":"{{c.t}}","uses":{{c.u}}}""").GetAwaiter().GetResult();
            return response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.BadRequest;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(150));
    }

    private Task<HttpResponseMessage> PostAsync(string json) =>
        _hub.Admin.PostAsync("/api/admin/join-tokens", new StringContent(json, Encoding.UTF8, "application/json"));
}
