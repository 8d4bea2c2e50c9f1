namespace Mesh.Hub.Access.Pages;

/// <summary>/access as shown: API tokens, viewer accounts, a token just created and the outcome of the last change.</summary>
public sealed class AccessModel
{
    /// <summary>The expiry choices; "never" must be picked on purpose.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Lifetimes =
        [("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days"), ("365d", "1 year"), ("never", "never (no expiry)")];

    public const string DefaultLifetimeChoice = "90d";

    public IReadOnlyList<UiApiToken> Tokens { get; init; } = [];

    public IReadOnlyList<UserSummary> Users { get; init; } = [];

    public string? NewToken { get; init; }

    /// <summary>The id of a token created earlier whose secret is no longer shown (another operator's, or too old).</summary>
    public string? CreatedGone { get; init; }

    public DateTimeOffset Now { get; init; }

    public string? Message { get; init; }

    public bool IsError { get; init; }
}
