if (await CommandLine.TryAnswerAsync(args, Console.Out) is { } answered)
{
    return answered;
}

var builder = WebApplication.CreateBuilder(InflightHost.BuilderOptions(args));

builder.AddInflightConfiguration(args);
builder.Services.AddInflightTracking();
builder.AddInflightSecurity();
builder.AddInflightGateway();
builder.AddInflightMetrics();
builder.AddInflightTelemetry();
builder.AddInflightHistory();
builder.AddInflightCluster();
builder.AddInflightDemo();
builder.AddInflightDashboard();

var app = builder.Build();

app.UseInflightSecurity();
app.MapInflightGateway();
app.MapInflightMetrics();
app.MapInflightTelemetry();
app.MapInflightDashboard();

return await app.RunInflightAsync();

/// <summary>Entry point; public so integration tests can host it.</summary>
public partial class Program;
