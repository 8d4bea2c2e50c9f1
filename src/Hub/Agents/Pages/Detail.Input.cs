using Mesh.Hub.Web;

namespace Mesh.Hub.Agents.Pages;

/// <summary>The agent page's input: a line for an interactive run's stdin (a plain form, post/redirect/get); the terminal posts keys to the REST API.</summary>
public sealed partial class AgentModel
{
    /// <summary>Set on a page that shows a terminal: xterm.js styles itself with style elements, which this nonce lets through the CSP.</summary>
    public string? StyleNonce { get; private set; }

    public async Task<IResult> OnPostInputAsync()
    {
        var (id, run, text, newline) = (Id, Value("run"), Value("text"), Value("newline"));
        var input = HttpContext.RequestServices.GetRequiredService<AgentInput>();
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        var data = (text ?? "") + (newline == "no" ? "" : "\n");
        try
        {
            await input.WriteAsync(id, string.IsNullOrEmpty(run) ? null : run, System.Text.Encoding.UTF8.GetBytes(data), Actor, Source, HttpContext.RequestAborted);
        }
        catch (AgentException ex)
        {
            return await RefusedAsync(id, AgentPageStatus.Of(ex), ex.Message);
        }

        return Redirect($"/agents/{Uri.EscapeDataString(id)}?done=input");
    }

    private void AllowTerminalStyles()
    {
        StyleNonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        HttpContext.Items[Web.SecurityHeaders.StyleNonceKey] = StyleNonce;
    }
}
