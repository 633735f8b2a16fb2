namespace Inflight.Tests.Telemetry;

/// <summary>
/// OpenTelemetry's meter and activity listeners are process-wide: a host's exporter also sees the
/// instruments of every other host alive in the test process. These tests therefore run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
