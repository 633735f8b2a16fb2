using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Inflight.Protocols;

namespace Inflight.Gateway;

/// <summary>
/// The response headers each API documents under its own name, so a translated answer carries the
/// names the client's SDK reads: Anthropic's <c>request-id</c> and <c>anthropic-ratelimit-{requests,tokens}-
/// {limit,remaining,reset}</c>, OpenAI's <c>x-request-id</c> and <c>x-ratelimit-{limit,remaining,reset}-
/// {requests,tokens}</c>. Reset values change form too: Anthropic sends an RFC 3339 instant, OpenAI a
/// duration such as <c>6m0s</c> or <c>20ms</c>. <c>retry-after</c> has one name in both and is copied as
/// sent (never made up). Headers with no counterpart (Anthropic's input/output token limits) keep their name.
/// </summary>
internal static class ClientHeaderNames
{
    private enum ValueKind
    {
        Verbatim,
        Reset,
    }

    private static readonly (string Anthropic, string OpenAI, ValueKind Kind)[] s_pairs =
    [
        ("request-id", "x-request-id", ValueKind.Verbatim),
        ("anthropic-ratelimit-requests-limit", "x-ratelimit-limit-requests", ValueKind.Verbatim),
        ("anthropic-ratelimit-requests-remaining", "x-ratelimit-remaining-requests", ValueKind.Verbatim),
        ("anthropic-ratelimit-requests-reset", "x-ratelimit-reset-requests", ValueKind.Reset),
        ("anthropic-ratelimit-tokens-limit", "x-ratelimit-limit-tokens", ValueKind.Verbatim),
        ("anthropic-ratelimit-tokens-remaining", "x-ratelimit-remaining-tokens", ValueKind.Verbatim),
        ("anthropic-ratelimit-tokens-reset", "x-ratelimit-reset-tokens", ValueKind.Reset),
    ];

    private static readonly FrozenDictionary<string, (string Name, ValueKind Kind)> s_fromAnthropic =
        s_pairs.ToFrozenDictionary(p => p.Anthropic, p => (p.OpenAI, p.Kind), StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, (string Name, ValueKind Kind)> s_fromOpenAI =
        s_pairs.ToFrozenDictionary(p => p.OpenAI, p => (p.Anthropic, p.Kind), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The client-side name and value of an upstream header, or false when it keeps its own (no counterpart,
    /// or a reset value that does not parse, which is then better passed on under the name that explains it).
    /// </summary>
    public static bool TryTranslate(ApiFormat upstream, ApiFormat client, string name, string value, DateTimeOffset now, out string clientName, out string clientValue)
    {
        clientName = name;
        clientValue = value;
        // Chat Completions and Responses are both OpenAI's: one set of header names.
        var fromAnthropic = upstream == ApiFormat.Anthropic;
        var table = fromAnthropic ? s_fromAnthropic : s_fromOpenAI;
        if (fromAnthropic == (client == ApiFormat.Anthropic) || !table.TryGetValue(name, out var counterpart))
        {
            return false;
        }

        if (counterpart.Kind == ValueKind.Reset)
        {
            var converted = fromAnthropic ? InstantToDuration(value, now) : DurationToInstant(value, now);
            if (converted is null)
            {
                return false;
            }

            clientValue = converted;
        }

        clientName = counterpart.Name;
        return true;
    }

    /// <summary>Anthropic's reset instant as OpenAI's time-until-reset (Go duration syntax), never negative.</summary>
    private static string? InstantToDuration(string value, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var reset))
        {
            return null;
        }

        return FormatDuration(reset > now ? reset - now : TimeSpan.Zero);
    }

    /// <summary>OpenAI's time-until-reset as Anthropic's reset instant (RFC 3339, whole seconds rounded up).</summary>
    private static string? DurationToInstant(string value, DateTimeOffset now)
    {
        if (!TryParseDuration(value, out var duration))
        {
            return null;
        }

        var reset = now + duration;
        var seconds = reset.ToUnixTimeMilliseconds() % 1000 == 0 ? reset.ToUnixTimeSeconds() : reset.ToUnixTimeSeconds() + 1;
        return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Go's duration syntax as OpenAI sends it: <c>1s</c>, <c>6m0s</c>, <c>59.5s</c>, <c>20ms</c>, <c>1h2m3s</c>.</summary>
    internal static bool TryParseDuration(string value, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var text = value.AsSpan().Trim();
        if (text.IsEmpty)
        {
            return false;
        }

        var total = 0.0;
        while (!text.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < text.Length && (char.IsAsciiDigit(text[numberLength]) || text[numberLength] == '.'))
            {
                numberLength++;
            }

            var unitLength = 0;
            while (numberLength + unitLength < text.Length && !char.IsAsciiDigit(text[numberLength + unitLength]) && text[numberLength + unitLength] != '.')
            {
                unitLength++;
            }

            if (numberLength == 0 || unitLength == 0
                || !double.TryParse(text[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            double? scale = text.Slice(numberLength, unitLength) switch
            {
                "h" => 3600,
                "m" => 60,
                "s" => 1,
                "ms" => 1e-3,
                "us" or "µs" => 1e-6,
                "ns" => 1e-9,
                _ => null,
            };
            if (scale is null)
            {
                return false;
            }

            total += number * scale.Value;
            text = text[(numberLength + unitLength)..];
        }

        duration = TimeSpan.FromSeconds(total);
        return true;
    }

    /// <summary>Formats like Go's <c>Duration.String</c> at millisecond precision: <c>20ms</c>, <c>1.5s</c>, <c>6m0s</c>, <c>1h0m0s</c>.</summary>
    internal static string FormatDuration(TimeSpan duration)
    {
        var milliseconds = (long)Math.Ceiling(duration.TotalMilliseconds);
        if (milliseconds == 0)
        {
            return "0s";
        }

        if (milliseconds < 1000)
        {
            return milliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var text = new StringBuilder();
        var hours = milliseconds / 3_600_000;
        var minutes = milliseconds / 60_000 % 60;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (hours > 0 || minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{minutes}m");
        }

        var seconds = milliseconds % 60_000 / 1000.0;
        text.Append(seconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('s');
        return text.ToString();
    }
}
