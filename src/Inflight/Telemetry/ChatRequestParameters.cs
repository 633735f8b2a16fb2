using System.Diagnostics;
using System.Text.Json;

namespace Inflight.Telemetry;

/// <summary>
/// Puts the sampling parameters of a client's request body on its span as <c>gen_ai.request.*</c>
/// attributes. Only top-level numbers are read (never messages, system prompts or tools); a body that is
/// not JSON adds nothing. Runs only for a span that is recorded.
/// </summary>
internal static class ChatRequestParameters
{
    public static void Tag(Activity activity, ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = AttributeOf(ref reader);
                reader.Read();
                if (name is not null && reader.TokenType == JsonTokenType.Number)
                {
                    // Boxed apart: a conditional of long and double would make the integer a double.
                    activity.SetTag(name, IsWholeNumber(name) && reader.TryGetInt64(out var whole) ? (object)whole : reader.GetDouble());
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // What was read before the fault stays on the span.
        }
    }

    /// <summary>The attribute for the property the reader is on; null for any other property.</summary>
    private static string? AttributeOf(ref Utf8JsonReader reader)
    {
        // Anthropic and Chat Completions say max_tokens (Chat's newer name is max_completion_tokens), Responses max_output_tokens.
        if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8) || reader.ValueTextEquals("max_output_tokens"u8))
        {
            return GenAiAttributes.RequestMaxTokens;
        }

        if (reader.ValueTextEquals("temperature"u8))
        {
            return GenAiAttributes.RequestTemperature;
        }

        if (reader.ValueTextEquals("top_p"u8))
        {
            return GenAiAttributes.RequestTopP;
        }

        if (reader.ValueTextEquals("top_k"u8))
        {
            return GenAiAttributes.RequestTopK;
        }

        if (reader.ValueTextEquals("frequency_penalty"u8))
        {
            return GenAiAttributes.RequestFrequencyPenalty;
        }

        if (reader.ValueTextEquals("presence_penalty"u8))
        {
            return GenAiAttributes.RequestPresencePenalty;
        }

        return reader.ValueTextEquals("seed"u8) ? GenAiAttributes.RequestSeed : null;
    }

    private static bool IsWholeNumber(string attribute)
        => attribute is GenAiAttributes.RequestMaxTokens or GenAiAttributes.RequestSeed;
}
