using Inflight.Cluster;
using Microsoft.Extensions.Configuration;

namespace Inflight.Tests.Cluster;

public sealed class ClusterSettingsReaderTests
{
    private static ClusterOptions Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        var options = new ClusterOptions();
        new ClusterSettingsReader(configuration).Configure(options);
        return options;
    }

    [Fact]
    public void Configure_NoRedisUrl_ClusterModeOffWithDefaults()
    {
        var options = Read();

        Assert.False(options.Enabled);
        Assert.Empty(options.LoadErrors);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Heartbeat);
        Assert.Equal(TimeSpan.FromSeconds(6), options.LivenessTtl);
        Assert.EndsWith("-" + Environment.ProcessId, options.ReplicaId, StringComparison.Ordinal);
        Assert.True(ClusterSettingsReader.IsValidReplicaId(options.ReplicaId));
    }

    [Fact]
    public void Configure_AllSet_ClusterModeOnWithThem()
    {
        var options = Read(("REDIS_URL", "redis://127.0.0.1:6379/1"), ("INFLIGHT_REPLICA_ID", "eu-1"), ("INFLIGHT_CLUSTER_HEARTBEAT", "0.5"));

        Assert.True(options.Enabled);
        Assert.Equal("eu-1", options.ReplicaId);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.LivenessTtl);
        Assert.Empty(options.LoadErrors);
    }

    [Fact]
    public void Configure_BadValues_ReportsEachByNameWithoutThePassword()
    {
        var options = Read(("REDIS_URL", "redis://app:hunter2@host:6379/99"), ("INFLIGHT_REPLICA_ID", "a b:c"), ("INFLIGHT_CLUSTER_HEARTBEAT", "0"));

        Assert.Equal(3, options.LoadErrors.Count);
        Assert.Contains(options.LoadErrors, e => e.StartsWith("REDIS_URL must name a database number", StringComparison.Ordinal) && e.Contains("app:***@host", StringComparison.Ordinal));
        Assert.Contains(options.LoadErrors, e => e.StartsWith("INFLIGHT_REPLICA_ID must be 1 to 64 letters", StringComparison.Ordinal));
        Assert.Contains(options.LoadErrors, e => e.StartsWith("INFLIGHT_CLUSTER_HEARTBEAT must be a number of seconds", StringComparison.Ordinal));
        Assert.DoesNotContain(options.LoadErrors, e => e.Contains("hunter2", StringComparison.Ordinal));
    }
}
