namespace Mesh.Hub.Web;

/// <summary>The operator web UI, its authentication (cookies, root account, UI-created API tokens) and the OpenAPI document.</summary>
public static class WebUiExtensions
{
    public static IServiceCollection AddOperatorUi(this IServiceCollection services)
    {
        services.AddOpenApi();
        return services;
    }

    public static WebApplication MapOperatorUi(this WebApplication app)
    {
        app.MapOpenApi();
        return app;
    }
}
