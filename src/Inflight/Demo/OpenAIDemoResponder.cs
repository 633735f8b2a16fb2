using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Inflight.Demo;

/// <summary>
/// Writes a <see cref="DemoReply"/> as the OpenAI Chat Completions API does: a <c>chat.completion</c>
/// body, or <c>chat.completion.chunk</c> events (role, content deltas, tool-call fragments, the
/// finish_reason chunk, the usage chunk when <c>stream_options.include_usage</c> asked for it) and
/// <c>data: [DONE]</c>.
/// </summary>
internal static class OpenAIDemoResponder
{
    private const string SystemFingerprint = "fp_demo0001";

    public static byte[] Body(DemoReply reply) => DemoWire.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", reply.Id);
        w.WriteString("object", "chat.completion");
        w.WriteNumber("created", reply.Created);
        w.WriteString("model", reply.Model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        if (reply.TextPieces.Count > 0)
        {
            w.WriteString("content", reply.Text);
        }
        else
        {
            w.WriteNull("content");
        }

        w.WriteNull("refusal");
        if (reply.ToolCall is { } tool)
        {
            w.WriteStartArray("tool_calls");
            w.WriteStartObject();
            w.WriteString("id", tool.Id);
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", tool.Name);
            w.WriteString("arguments", tool.Arguments);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        }

        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNull("logprobs");
        w.WriteString("finish_reason", FinishReason(reply.StopReason));
        w.WriteEndObject();
        w.WriteEndArray();
        WriteUsage(w, reply);
        w.WriteString("service_tier", "default");
        w.WriteString("system_fingerprint", SystemFingerprint);
        w.WriteEndObject();
    });

    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> StreamAsync(DemoReply reply, bool includeUsage, DemoPacer pacer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await pacer.WaitAsync(reply.TimeToFirstToken, cancellationToken);

        var hasText = reply.TextPieces.Count > 0;
        var tool = reply.ToolCall;

        // The first chunk carries the role; a bare tool call announces the call in it too.
        yield return Chunk(reply, includeUsage, null, w =>
        {
            w.WriteString("role", "assistant");
            if (hasText || tool is null)
            {
                w.WriteString("content", "");
            }
            else
            {
                w.WriteNull("content");
                WriteToolCallStart(w, tool);
            }

            w.WriteNull("refusal");
        });

        var emitted = 0;
        for (var i = 0; i < reply.TextPieces.Count; i++)
        {
            await pacer.WaitForTokensAsync(1, cancellationToken);
            var piece = reply.TextPieces[i];
            yield return Chunk(reply, includeUsage, null, w => w.WriteString("content", piece));
            if (Breaks(reply, ++emitted))
            {
                throw DemoUpstreamFaults.ConnectionCut();
            }
        }

        if (tool is not null)
        {
            if (hasText)
            {
                await pacer.WaitForTokensAsync(3, cancellationToken);
                yield return Chunk(reply, includeUsage, null, w => WriteToolCallStart(w, tool));
            }

            foreach (var fragment in tool.Fragments)
            {
                await pacer.WaitForTokensAsync(1, cancellationToken);
                yield return Chunk(reply, includeUsage, null, w =>
                {
                    w.WriteStartArray("tool_calls");
                    w.WriteStartObject();
                    w.WriteNumber("index", 0);
                    w.WriteStartObject("function");
                    w.WriteString("arguments", fragment);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndArray();
                });
                if (Breaks(reply, ++emitted))
                {
                    throw DemoUpstreamFaults.ConnectionCut();
                }
            }
        }

        yield return Chunk(reply, includeUsage, FinishReason(reply.StopReason), static _ => { });

        if (includeUsage)
        {
            yield return DemoWire.Event(null, w =>
            {
                WriteChunkHeader(w, reply);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                WriteUsage(w, reply);
                w.WriteEndObject();
            });
        }

        yield return DemoWire.Done;
    }

    public static string FinishReason(DemoStopReason reason) => reason switch
    {
        DemoStopReason.ToolUse => "tool_calls",
        DemoStopReason.MaxTokens => "length",
        _ => "stop",
    };

    private static bool Breaks(DemoReply reply, int emitted) => reply.BreakAfterPieces is { } limit && emitted >= limit;

    private static void WriteToolCallStart(Utf8JsonWriter w, DemoToolCall tool)
    {
        w.WriteStartArray("tool_calls");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteString("id", tool.Id);
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", tool.Name);
        w.WriteString("arguments", "");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static byte[] Chunk(DemoReply reply, bool includeUsage, string? finishReason, Action<Utf8JsonWriter> writeDelta) => DemoWire.Event(null, w =>
    {
        WriteChunkHeader(w, reply);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        writeDelta(w);
        w.WriteEndObject();
        w.WriteNull("logprobs");
        if (finishReason is null)
        {
            w.WriteNull("finish_reason");
        }
        else
        {
            w.WriteString("finish_reason", finishReason);
        }

        w.WriteEndObject();
        w.WriteEndArray();

        // With include_usage every chunk carries "usage": null until the final usage chunk.
        if (includeUsage)
        {
            w.WriteNull("usage");
        }

        w.WriteEndObject();
    });

    private static void WriteChunkHeader(Utf8JsonWriter w, DemoReply reply)
    {
        w.WriteStartObject();
        w.WriteString("id", reply.Id);
        w.WriteString("object", "chat.completion.chunk");
        w.WriteNumber("created", reply.Created);
        w.WriteString("model", reply.Model);
        w.WriteString("service_tier", "default");
        w.WriteString("system_fingerprint", SystemFingerprint);
    }

    private static void WriteUsage(Utf8JsonWriter w, DemoReply reply)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", reply.PromptTokens);
        w.WriteNumber("completion_tokens", reply.OutputTokens);
        w.WriteNumber("total_tokens", reply.PromptTokens + reply.OutputTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", reply.OpenAICachedTokens);
        w.WriteNumber("audio_tokens", 0);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", 0);
        w.WriteNumber("audio_tokens", 0);
        w.WriteNumber("accepted_prediction_tokens", 0);
        w.WriteNumber("rejected_prediction_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
