using System.Globalization;
using System.Text.Json;
using Inflight.Configuration;
using Inflight.Protocols;
using Microsoft.Extensions.Options;

namespace Inflight.Gateway;

/// <summary>
/// Every model the gateway can route: each provider's own list (asked for concurrently, in its own wire
/// format) as <c>provider:model</c>, followed by that provider's aliases as <c>provider:alias</c>. The
/// default provider comes first, then the others by name. A provider whose list cannot be had is left
/// out and named in <see cref="ModelCatalogResult.Failures"/>; its aliases are still listed.
/// </summary>
internal sealed partial class ModelCatalog(
    IOptions<GatewayOptions> options,
    UpstreamClients clients,
    TimeProvider timeProvider,
    ILogger<ModelCatalog> logger)
{
    /// <summary>Anthropic pages at 20 by default; one page of its maximum holds any provider's list.</summary>
    private const string AnthropicListQuery = "models?limit=1000";

    private readonly GatewayOptions _options = options.Value;

    /// <param name="onlyProvider">When set, only that provider is asked (a lookup of one <c>provider:model</c>).</param>
    public async Task<ModelCatalogResult> ListAsync(HttpRequest client, CancellationToken cancellationToken, string? onlyProvider = null)
    {
        var providers = _options.Providers.Values
            .Where(p => onlyProvider is null || p.Name.Equals(onlyProvider, StringComparison.OrdinalIgnoreCase))
            .OrderBy(p => p.Name.Equals(_options.DefaultProvider, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        var lists = await Task.WhenAll(providers.Select(p => FetchAsync(p, client, cancellationToken)));

        var models = new List<ModelEntry>();
        var failures = new List<string>();
        for (var i = 0; i < providers.Count; i++)
        {
            var provider = providers[i];
            if (lists[i].Failure is { } failure)
            {
                failures.Add(failure);
            }

            models.AddRange(lists[i].Models);
            foreach (var (alias, target) in provider.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                var name = alias.ToLowerInvariant();
                models.Add(new ModelEntry($"{provider.Name}:{name}", $"{name} → {target}", DateTimeOffset.UnixEpoch, provider.Name));
            }
        }

        return new ModelCatalogResult(models, failures);
    }

    private async Task<(IReadOnlyList<ModelEntry> Models, string? Failure)> FetchAsync(ProviderOptions provider, HttpRequest client, CancellationToken cancellationToken)
    {
        var format = provider.Format;
        using var idle = new CancellationTokenSource(_options.RequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        try
        {
            using var request = UpstreamRequestFactory.Create(provider, format, format == ApiFormat.Anthropic ? AnthropicListQuery : "models", client, ReadOnlyMemory<byte>.Empty, HttpMethod.Get);
            using var response = await clients.For(provider).SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                return Failed(provider, $"answered {(int)response.StatusCode}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(linked.Token);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: linked.Token);
            return (Parse(provider.Name, document.RootElement), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(provider, $"did not answer within {_options.RequestTimeout.TotalSeconds:0.###} s (REQUEST_TIMEOUT)");
        }
        catch (HttpRequestException ex)
        {
            return Failed(provider, "could not be reached: " + ex.Message);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return Failed(provider, "sent a model list that is not one: " + ex.Message);
        }
    }

    private (IReadOnlyList<ModelEntry>, string) Failed(ProviderOptions provider, string reason)
    {
        Log.ListFailed(logger, provider.Name, reason);
        return ([], $"{provider.Name} {reason}");
    }

    /// <summary>
    /// Reads <c>data[]</c> of either list shape: Anthropic's <c>id</c>, <c>display_name</c>, <c>created_at</c>
    /// (RFC 3339) or OpenAI's <c>id</c>, <c>created</c> (Unix seconds), with the <c>name</c> some compatible
    /// servers add (OpenRouter).
    /// </summary>
    private static List<ModelEntry> Parse(string provider, JsonElement root)
    {
        var models = new List<ModelEntry>();
        foreach (var model in root.GetProperty("data").EnumerateArray())
        {
            var id = model.GetProperty("id").GetString() ?? throw new FormatException("a model has a null id");
            var name = model.TryGetProperty("display_name", out var display) && display.ValueKind == JsonValueKind.String ? display.GetString()!
                : model.TryGetProperty("name", out var plain) && plain.ValueKind == JsonValueKind.String ? plain.GetString()!
                : id;
            var created = DateTimeOffset.UnixEpoch;
            if (model.TryGetProperty("created_at", out var createdAt) && createdAt.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(createdAt.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                created = parsed;
            }
            else if (model.TryGetProperty("created", out var seconds) && seconds.TryGetInt64(out var unix))
            {
                created = DateTimeOffset.FromUnixTimeSeconds(unix);
            }

            models.Add(new ModelEntry($"{provider}:{id}", name, created, provider));
        }

        return models;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Model list of provider {Provider} left out of /v1/models: {Reason}", EventName = "ModelListFailed")]
        public static partial void ListFailed(ILogger logger, string provider, string reason);
    }
}

/// <summary>The merged model list, and the providers whose own list could not be had.</summary>
internal sealed record ModelCatalogResult(IReadOnlyList<ModelEntry> Models, IReadOnlyList<string> Failures);
