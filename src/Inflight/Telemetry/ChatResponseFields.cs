using System.Text.Json;

namespace Inflight.Telemetry;

/// <summary>
/// What a provider's answer says about itself — its id, model, finish reasons and reasoning tokens — read
/// from a whole body or event by event, in any of the three formats:
/// <list type="bullet">
/// <item>Chat Completions: <c>id</c>, <c>model</c>, <c>choices[].finish_reason</c>,
/// <c>usage.completion_tokens_details.reasoning_tokens</c> (on every chunk of a stream, or the body).</item>
/// <item>Anthropic: <c>id</c>, <c>model</c>, <c>stop_reason</c> of the body; in a stream, <c>message</c>
/// of <c>message_start</c> and <c>delta.stop_reason</c> of <c>message_delta</c>.</item>
/// <item>Responses: <c>id</c>, <c>model</c>, <c>status</c> (or <c>incomplete_details.reason</c>),
/// <c>usage.output_tokens_details.reasoning_tokens</c> of the body or of an event's <c>response</c>.</item>
/// </list>
/// Text, tool arguments and other content are skipped unread. Malformed JSON adds nothing and never throws.
/// </summary>
internal sealed class ChatResponseFields
{
    private const int MaxFinishReasons = 16;

    private List<string>? _finishReasons;

    public string? Id { get; private set; }

    public string? Model { get; private set; }

    public IReadOnlyList<string> FinishReasons => _finishReasons ?? (IReadOnlyList<string>)[];

    public long? ReasoningTokens { get; private set; }

    /// <summary>Reads one JSON object: a whole response body or the data of one stream event.</summary>
    public void Read(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                ReadObject(ref reader, nested: false);
            }
        }
        catch (JsonException)
        {
            // Whatever was read before the fault is kept.
        }
    }

    /// <summary>The object the reader is on (its start); ends on its end.</summary>
    private void ReadObject(ref Utf8JsonReader reader, bool nested)
    {
        string? status = null;
        string? incompleteReason = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                // A Chat stream repeats both on every chunk: the first is kept, the others are not decoded.
                Id = Id is null ? ReadString(ref reader) : SkipValue(ref reader, Id);
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                Model = Model is null ? ReadString(ref reader) : SkipValue(ref reader, Model);
            }
            else if (reader.ValueTextEquals("stop_reason"u8))
            {
                AddFinishReason(ReadString(ref reader));
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                status = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                ReadChoices(ref reader);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                ReadUsage(ref reader);
            }
            else if (reader.ValueTextEquals("incomplete_details"u8))
            {
                reader.Read();
                incompleteReason = ReadNestedString(ref reader, "reason"u8);
            }
            else if (!nested && (reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("response"u8) || reader.ValueTextEquals("delta"u8)))
            {
                // Anthropic's message_start.message and message_delta.delta, a Responses event's response.
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadObject(ref reader, nested: true);
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // A Responses answer is finished once its status is no longer queued or in progress.
        if (status is not null && status != "queued" && status != "in_progress")
        {
            AddFinishReason(status == "incomplete" && incompleteReason is not null ? incompleteReason : status);
        }
    }

    private void ReadChoices(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                AddFinishReason(ReadNestedString(ref reader, "finish_reason"u8));
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Reasoning tokens: <c>completion_tokens_details</c> (Chat) or <c>output_tokens_details</c> (Responses).</summary>
    private void ReadUsage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var details = reader.ValueTextEquals("completion_tokens_details"u8) || reader.ValueTextEquals("output_tokens_details"u8);
            reader.Read();
            if (!details || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var reasoning = reader.ValueTextEquals("reasoning_tokens"u8);
                reader.Read();
                if (reasoning && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var tokens) && tokens >= 0)
                {
                    ReasoningTokens = tokens;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    private void AddFinishReason(string? reason)
    {
        if (string.IsNullOrEmpty(reason))
        {
            return;
        }

        _finishReasons ??= [];
        if (_finishReasons.Count < MaxFinishReasons)
        {
            _finishReasons.Add(reason);
        }
    }

    /// <summary>Skips the value of the property the reader is on and returns <paramref name="kept"/>.</summary>
    private static string SkipValue(ref Utf8JsonReader reader, string kept)
    {
        reader.Read();
        reader.Skip();
        return kept;
    }

    /// <summary>Moves from a property name to its value: the string, or null (the value skipped) when it is anything else.</summary>
    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    /// <summary>The string property <paramref name="name"/> of the object the reader is on; the reader ends on the object's end.</summary>
    private static string? ReadNestedString(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                value = ReadString(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return value;
    }
}
