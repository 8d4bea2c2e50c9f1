using Mesh.Hub.Web;

namespace Mesh.Hub.Mailbox.Common;

/// <summary>What the mailbox capabilities' REST endpoints share: refusals as problem details, strict JSON bodies, times and empty strings.</summary>
public static class MailboxRest
{
    public static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (MailboxException ex)
        {
            return ex.ToProblem();
        }
    }

    /// <summary>Reads a JSON body (snake_case: the capability's source-generated <paramref name="type"/>); a malformed one is a 400 with the parser's reason.</summary>
    public static async Task<T?> ReadBodyAsync<T>(HttpRequest http, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        if (http.ContentLength == 0)
            return null;
        try
        {
            return await http.ReadFromJsonAsync(type, cancellationToken);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new MailboxException(MailboxError.InvalidArgument, "the request body is not valid JSON: " + ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            throw new MailboxException(MailboxError.InvalidArgument, "send a JSON body with content-type application/json: " + ex.Message);
        }
    }

    public static IResult NotFound(string detail) => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: detail);

    public static DateTimeOffset? Time(long unixMs) => unixMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(unixMs);

    public static string? Null(string value) => value.Length == 0 ? null : value;
}
