using Htmx;
using Mesh.Hub.Audit;
using Microsoft.AspNetCore.Antiforgery;
using Mesh.Hub.Web;
using RazorSlices;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Reviews.Pages;

/// <summary>/reviews: pending permission reviews with an answer button per option (root), and the recent answers; live over SSE.</summary>
public sealed class ReviewsModel(ReviewService reviews, IAuditLog audit, IAntiforgery antiforgery) : UiPageModel
{
    /// <summary>The audit action of an answer given in the UI.</summary>
    public const string ReviewAnswered = "review.answered";

    public string PendingHtml { get; private set; } = string.Empty;

    public string ClosedHtml { get; private set; } = string.Empty;

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    protected override RazorSlice Slice() => Index.Create(this);

    public async Task<IResult> OnGetAsync()
    {
        var outcome = Query("outcome");
        if (ulong.TryParse(Query("answered"), System.Globalization.CultureInfo.InvariantCulture, out var id))
            Message = outcome == "cancelled" ? $"Cancelled review {id}." : $"Answered review {id} with '{outcome}'.";
        await LoadAsync();
        return Page();
    }

    public async Task<IResult> OnPostAnswerAsync()
    {
        var id = ulong.TryParse(Value("id"), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
        var (option, cancel) = (Value("option"), Value("cancel"));
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        var isHtmx = Request.IsHtmx();
        var status = StatusCodes.Status200OK;
        if (cancel != "yes" && string.IsNullOrEmpty(option))
        {
            (Message, MessageIsError, status) = ("Choose one of the review's options, or Cancel.", true, StatusCodes.Status400BadRequest);
        }
        else
        {
            try
            {
                var review = await reviews.RespondAsRootAsync(id, cancel == "yes" ? null : option, HttpContext.RequestAborted);
                var outcome = review.Status == ReviewStatus.Cancelled ? "cancelled" : review.OptionId;
                await audit.RecordAsync(User.Identity?.Name ?? "root", ReviewAnswered, "review " + review.Id, HttpContext.Connection.RemoteIpAddress?.ToString(), outcome, HttpContext.RequestAborted);
                if (!isHtmx)
                    return Redirect($"/reviews?answered={review.Id}&outcome={Uri.EscapeDataString(outcome)}");
                Message = review.Status == ReviewStatus.Cancelled ? $"Cancelled review {review.Id}." : $"Answered review {review.Id} with '{outcome}'.";
            }
            catch (MailboxException ex)
            {
                (Message, MessageIsError, status) = (ex.Message, true, MailboxErrors.HttpStatus(ex.Error));
            }
        }

        // htmx swaps only 2xx answers: the message element; the lists follow over the stream.
        if (isHtmx)
            return Partial(_ReviewMessage.Create(this));
        Response.StatusCode = status;
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken ?? string.Empty;
        (PendingHtml, ClosedHtml) = await ReviewsStream.RenderAsync(reviews, User.IsInRole(AdminRoles.Root), token, HttpContext.RequestAborted);
    }
}
