using Mesh.Hub.Storage;

namespace Mesh.Hub.Mailbox.Schedules;

public static class ScheduleExtensions
{
    /// <summary>Agent schedules on the mailbox: store, rules, the runner. Needs AddMailbox and an <see cref="IScheduleTargets"/>.</summary>
    public static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, ScheduleMigrations>();
        services.AddSingleton<ScheduleStore>();
        services.AddSingleton<ScheduleRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduleRunner>());
        services.AddSingleton<ScheduleService>();
        return services;
    }
}
