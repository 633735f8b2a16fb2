using System.Collections.Concurrent;
using System.Collections.Frozen;
using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Telemetry;

/// <summary>
/// Keeps metric label values bounded: configured providers, alias names and targets (and the demo
/// provider's models) are always
/// themselves; any other model name is admitted first come, first served up to
/// <see cref="MaxAdmittedModels"/>, then reported as <see cref="Other"/>. A client sending random model
/// names therefore cannot grow the number of series without bound.
/// </summary>
internal sealed class TelemetryLabels
{
    public const string Other = "other";
    public const int MaxAdmittedModels = 100;

    private readonly FrozenSet<string> _providers;
    private readonly FrozenSet<string> _configuredModels;
    private readonly ConcurrentDictionary<string, bool> _admittedModels = new(StringComparer.Ordinal);
    private readonly Lock _admitLock = new();
    private volatile bool _full;

    public TelemetryLabels(IOptions<GatewayOptions> options)
    {
        var providers = options.Value.Providers.Values;
        _providers = providers.Select(p => p.Name).ToFrozenSet(StringComparer.Ordinal);
        var models = new HashSet<string>(StringComparer.Ordinal);
        foreach (var provider in providers)
        {
            if (provider.IsDemo)
            {
                models.UnionWith(DemoModels.All.Select(m => m.Id));
            }

            foreach (var (alias, target) in provider.Aliases)
            {
                models.Add(alias);
                models.Add(alias.ToLowerInvariant());
                models.Add(target);
            }
        }

        _configuredModels = models.ToFrozenSet(StringComparer.Ordinal);
    }

    public string Provider(string name) => _providers.Contains(name) ? name : Other;

    public string Model(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return Other;
        }

        if (_configuredModels.Contains(name) || _admittedModels.ContainsKey(name))
        {
            return name;
        }

        if (_full)
        {
            return Other;
        }

        lock (_admitLock)
        {
            if (_admittedModels.ContainsKey(name))
            {
                return name;
            }

            if (_admittedModels.Count >= MaxAdmittedModels)
            {
                _full = true;
                return Other;
            }

            _admittedModels[name] = true;
            return name;
        }
    }
}
