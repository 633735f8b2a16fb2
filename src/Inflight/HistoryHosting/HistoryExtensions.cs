using Inflight.Tracking;
using Microsoft.Extensions.Options;

namespace Inflight.HistoryHosting;

internal static class HistoryExtensions
{
    public static WebApplicationBuilder AddInflightHistory(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<HistorySettingsReader>();
        services.AddSingleton<IConfigureOptions<HistoryOptions>>(sp => sp.GetRequiredService<HistorySettingsReader>());
        services.AddSingleton<IValidateOptions<HistoryOptions>>(sp => sp.GetRequiredService<HistorySettingsReader>());
        services.AddOptions<HistoryOptions>().ValidateOnStart();
        services.AddSingleton<HistoryService>();
        services.AddHostedService(sp => sp.GetRequiredService<HistoryService>());
        services.AddSingleton<IRequestObserver>(sp => sp.GetRequiredService<HistoryService>());
        return builder;
    }
}
