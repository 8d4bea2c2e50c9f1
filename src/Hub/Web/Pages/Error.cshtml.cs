namespace Mesh.Hub.Web.Pages;

/// <summary>The error page as shown: the status code, its title and what it means for the operator.</summary>
public sealed record ErrorModel(int Code, string Title, string Explanation);
