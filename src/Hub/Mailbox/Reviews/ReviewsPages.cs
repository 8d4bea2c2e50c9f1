using Mesh.Hub.Web;

namespace Mesh.Hub.Mailbox.Reviews;

public static class ReviewsPages
{
    /// <summary>The Reviews page (root answers).</summary>
    public static void MapReviewsPages(this WebApplication app)
    {
        var pages = app.MapUiPages();
        pages.MapPage<Pages.ReviewsModel>("/reviews", m => m.OnGetAsync());
        pages.MapForm<Pages.ReviewsModel>("/reviews", ("Answer", m => m.OnPostAnswerAsync()));
    }
}
