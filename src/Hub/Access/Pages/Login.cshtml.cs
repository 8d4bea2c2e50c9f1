namespace Mesh.Hub.Access.Pages;

/// <summary>The login form as shown: the reason a login failed, the user name typed, where to go after.</summary>
public sealed record LoginModel(string? Error, string? Username, string? ReturnUrl);
