using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Cluster;

/// <summary>Reads <see cref="ClusterOptions"/> from the flat settings; bad values stop start-up.</summary>
internal sealed class ClusterSettingsReader(IConfiguration configuration) : IConfigureOptions<ClusterOptions>, IValidateOptions<ClusterOptions>
{
    public const string RedisUrlKey = "REDIS_URL";
    public const string ReplicaIdKey = "INFLIGHT_REPLICA_ID";
    public const string HeartbeatKey = "INFLIGHT_CLUSTER_HEARTBEAT";
    public const int MaxReplicaIdLength = 64;

    public void Configure(ClusterOptions options)
    {
        var errors = options.LoadErrors;
        var url = configuration[RedisUrlKey];
        if (!string.IsNullOrWhiteSpace(url))
        {
            options.RedisDisplay = RedisUrl.Redact(url);
            if (RedisUrl.TryParse(url, out var redis, out var error))
            {
                options.Redis = redis;
            }
            else
            {
                errors.Add($"{RedisUrlKey} {error}; got '{options.RedisDisplay}'.");
            }
        }

        var replicaId = configuration[ReplicaIdKey];
        if (string.IsNullOrWhiteSpace(replicaId))
        {
            options.ReplicaId = DefaultReplicaId();
        }
        else if (!IsValidReplicaId(replicaId.Trim()))
        {
            errors.Add($"{ReplicaIdKey} must be 1 to {MaxReplicaIdLength} letters, digits, '-', '_' or '.'; got '{replicaId}'.");
        }
        else
        {
            options.ReplicaId = replicaId.Trim();
        }

        options.Heartbeat = TimeSpan.FromSeconds(SettingParsers.ReadSeconds(configuration, HeartbeatKey, 2.0, errors, minExclusive: 0.05));
        if (options.Heartbeat > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{HeartbeatKey} must be at most 300 seconds; got '{configuration[HeartbeatKey]}'.");
        }
    }

    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
        => options.LoadErrors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.LoadErrors);

    public static bool IsValidReplicaId(string id)
        => id.Length is > 0 and <= MaxReplicaIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Host name and process id: unique per process on a host, readable on the dashboard.</summary>
    private static string DefaultReplicaId()
    {
        var host = new string([.. Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        var id = (host.Length > 0 ? host : "inflight") + "-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return id.Length <= MaxReplicaIdLength ? id : id[^MaxReplicaIdLength..];
    }
}
