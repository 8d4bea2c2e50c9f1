using System.Net;
using Mesh.Hub.Mailbox.Messages;

namespace Mesh.Hub.Tests.Mailbox.Messages;

/// <summary>How the inbox shows a payload: JSON objects and arrays indented behind their compact text, all of it HTML-encoded.</summary>
public sealed class MessageHtmlTests
{
    [Fact]
    public void JsonObject_OpensIndented_WithItsCompactTextAsThePreview()
    {
        var html = MessageHtml.Payload("""{ "task": "<b>build</b>", "n": [1, 2] }""", "json");

        var shown = WebUtility.HtmlDecode(html);
        Assert.Contains("""<summary><code>{"task":"<b>build</b>","n":[1,2]}</code> <span class="more">formatted</span></summary>""", shown, StringComparison.Ordinal);
        Assert.Contains("<pre class=\"payload\">{\n  \"task\": \"<b>build</b>\",\n  \"n\": [\n    1,\n    2\n  ]\n}</pre>", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal); // encoded as sent: markup stays text
    }

    [Fact]
    public void LongJson_PreviewIsCut_AndSaysItsSize()
    {
        var payload = "[" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"item-{i}\"")) + "]";

        var html = MessageHtml.Payload(payload, "json");

        Assert.Contains($"… <span class=\"more\">show all ({payload.Length} bytes)</span>", html, StringComparison.Ordinal);
        Assert.Contains("\n  \"item-99\"\n]</pre>", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("42", "json")]
    [InlineData("{}", "json")]
    [InlineData("{\"a\":1}", "text")]
    [InlineData("not json {", "json")]
    public void ScalarsEmptyValuesTextAndNonJson_StayInline(string payload, string kind)
    {
        var html = MessageHtml.Payload(payload, kind);

        Assert.DoesNotContain("<details", html, StringComparison.Ordinal);
        Assert.Contains($"<code class=\"payload\">{payload}</code>", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
    }
}
