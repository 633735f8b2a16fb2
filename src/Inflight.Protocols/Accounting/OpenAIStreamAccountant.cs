using System.Text.Json;
using Inflight.Protocols.Sse;

namespace Inflight.Protocols.Accounting;

/// <summary>
/// Counts tokens and tool calls in an OpenAI Chat Completions stream of <c>chat.completion.chunk</c>
/// objects as they pass by (API reference, "The chat completion chunk object").
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>choices[].delta</c>: <c>content</c>, <c>reasoning_content</c> (DeepSeek, vLLM),
/// <c>reasoning</c> (OpenRouter), <c>refusal</c> and <c>tool_calls[].function.name/arguments</c> add
/// to the output estimate.</item>
/// <item>A <c>tool_calls</c> entry carrying an <c>id</c> starts a tool call. Some providers repeat the
/// id on every fragment and some reuse index 0 for parallel calls, so a call counts when its id differs
/// from the last id counted at its index.</item>
/// <item><c>usage</c> is accepted on any chunk — OpenAI sends it on a final chunk with empty
/// <c>choices</c> when <c>stream_options.include_usage</c> is set, OpenRouter on the last choice
/// chunk — and mapped as <see cref="UsageJson.ReadOpenAI"/> documents. <c>"usage": null</c>, which
/// OpenAI puts on every other chunk, is ignored.</item>
/// <item><c>data: [DONE]</c> and any other non-object data are ignored; a malformed chunk is skipped
/// whole.</item>
/// </list>
/// </remarks>
public sealed class OpenAIStreamAccountant : ISseEventHandler
{
    // Tool-call indices below this are de-duplicated by id; beyond it every id counts.
    private const int TrackedToolIndices = 64;

    private readonly IUsageListener _listener;
    private OutputTokenEstimate _estimate;

    // Hash of the id last counted at each tool-call index; allocated on the first tool call only.
    private ulong[]? _toolIds;

    public OpenAIStreamAccountant(IUsageListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        _listener = listener;
    }

    public void OnEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        var first = data.IndexOfAnyExcept(" \t\r\n"u8);
        if (first < 0 || data[first] != (byte)'{')
        {
            return; // [DONE]
        }

        long units = 0;
        var toolCalls = 0;
        UsageReport? usage = null;
        try
        {
            var reader = new Utf8JsonReader(data);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    units += ReadChoices(ref reader, ref toolCalls);
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    usage = UsageJson.ReadUsageValue(ref reader, ApiFormat.OpenAI) ?? usage;
                }
                else
                {
                    JsonFields.SkipValue(ref reader);
                }
            }
        }
        catch (JsonException)
        {
            return;
        }

        _listener.Report(toolCalls, _estimate.Add(units), usage);
    }

    private long ReadChoices(ref Utf8JsonReader reader, ref int toolCalls)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }

        long units = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    units += ReadDelta(ref reader, ref toolCalls);
                }
                else
                {
                    JsonFields.SkipValue(ref reader);
                }
            }
        }

        return units;
    }

    private long ReadDelta(ref Utf8JsonReader reader, ref int toolCalls)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        long units = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                // The answer's visible text; reasoning and refusals are weighed but not captured.
                units += JsonFields.WeighAndCaptureString(ref reader, _listener.WantsOutputText ? _listener : null);
            }
            else if (OpenAIMessageJson.IsGeneratedText(ref reader))
            {
                units += JsonFields.WeighString(ref reader);
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    units += ReadToolCall(ref reader, ref toolCalls);
                }
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return units;
    }

    private long ReadToolCall(ref Utf8JsonReader reader, ref int toolCalls)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        long units = 0;
        var index = 0;
        ulong idHash = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out index))
                {
                    index = -1;
                }
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && !reader.ValueSpan.IsEmpty)
                {
                    idHash = HashId(reader.ValueSpan);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("function"u8))
            {
                units += OpenAIMessageJson.WeighFunction(ref reader);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        if (idHash != 0 && IsNewToolCall(index, idHash))
        {
            toolCalls++;
        }

        return units;
    }

    private bool IsNewToolCall(int index, ulong idHash)
    {
        if ((uint)index >= TrackedToolIndices)
        {
            return true;
        }

        _toolIds ??= new ulong[TrackedToolIndices];
        if (_toolIds[index] == idHash)
        {
            return false;
        }

        _toolIds[index] = idHash;
        return true;
    }

    // FNV-1a; the low bit is forced so that no id hashes to the "none" value 0.
    private static ulong HashId(ReadOnlySpan<byte> id)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in id)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash | 1;
    }
}
