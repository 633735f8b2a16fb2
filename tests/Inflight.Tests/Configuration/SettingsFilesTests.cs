using Inflight.Configuration;
using Inflight.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Inflight.Tests.Configuration;

public sealed class SettingsFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("inflight-settings-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddInflightConfiguration([]);
        return builder.Build();
    }

    [Fact]
    public async Task AddInflightConfiguration_InflightConfigFile_SuppliesSettingsBelowTheEnvironment()
    {
        var file = Path.Combine(_directory, "inflight.json");
        await File.WriteAllTextAsync(file, """{ "OPENAI_API_KEY": "sk-from-file", "PORT": 9001, "REQUEST_TIMEOUT": 5 }""", TestContext.Current.CancellationToken);

        // The in-memory source stands for the environment: added before, it is still above the file.
        await using var app = Build(new() { ["INFLIGHT_CONFIG"] = file, ["REQUEST_TIMEOUT"] = "7" });
        var options = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;

        Assert.Empty(SettingsCheck.Collect(app.Services));
        Assert.Equal("sk-from-file", options.Providers["openai"].ApiKey);
        Assert.Equal(9001, options.Port);
        Assert.Equal(TimeSpan.FromSeconds(7), options.RequestTimeout);
        Assert.Contains(file, app.Services.GetRequiredService<SettingsSources>().JsonFiles);
    }

    [Fact]
    public async Task AddInflightConfiguration_MissingInflightConfigFile_IsASettingsError()
    {
        var file = Path.Combine(_directory, "absent.json");

        await using var app = Build(new() { ["INFLIGHT_CONFIG"] = file, ["INFLIGHT_DEMO"] = "true" });

        Assert.Equal([$"INFLIGHT_CONFIG names '{file}', which does not exist."], SettingsCheck.Collect(app.Services));
    }

    [Fact]
    public async Task AddInflightConfiguration_MalformedInflightConfigFile_IsOneLineNotAStackTrace()
    {
        var file = Path.Combine(_directory, "broken.json");
        await File.WriteAllTextAsync(file, """{ "PORT": 9001,, }""", TestContext.Current.CancellationToken);

        await using var app = Build(new() { ["INFLIGHT_CONFIG"] = file, ["INFLIGHT_DEMO"] = "true" });

        var failure = Assert.Single(SettingsCheck.Collect(app.Services));
        Assert.StartsWith($"{file} is not valid JSON", failure, StringComparison.Ordinal);
    }
}
