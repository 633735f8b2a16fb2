using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Inflight.Demo;

/// <summary>
/// Writes a <see cref="DemoReply"/> as the Anthropic Messages API does: a <c>message</c> body, or the
/// event stream message_start → (content_block_start, ping, content_block_delta…, content_block_stop)
/// per block → message_delta → message_stop.
/// </summary>
internal static class AnthropicDemoResponder
{
    public static byte[] Body(DemoReply reply) => DemoWire.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", reply.Id);
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", reply.Model);
        w.WriteStartArray("content");
        if (reply.TextPieces.Count > 0)
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", reply.Text);
            w.WriteEndObject();
        }

        if (reply.ToolCall is { } tool)
        {
            w.WriteStartObject();
            w.WriteString("type", "tool_use");
            w.WriteString("id", tool.Id);
            w.WriteString("name", tool.Name);
            w.WritePropertyName("input");
            w.WriteRawValue(tool.Arguments);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("stop_reason", StopReason(reply.StopReason));
        w.WriteNull("stop_sequence");
        WriteUsage(w, reply, reply.OutputTokens);
        w.WriteEndObject();
    });

    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> StreamAsync(DemoReply reply, DemoPacer pacer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Prompt processing: nothing reaches the client until the model starts.
        await pacer.WaitAsync(reply.TimeToFirstToken, cancellationToken);

        yield return DemoWire.Event("message_start", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_start");
            w.WriteStartObject("message");
            w.WriteString("id", reply.Id);
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteString("model", reply.Model);
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteNull("stop_reason");
            w.WriteNull("stop_sequence");
            WriteUsage(w, reply, 1);
            w.WriteEndObject();
            w.WriteEndObject();
        });

        var index = 0;
        var emitted = 0;
        var pinged = false;
        if (reply.TextPieces.Count > 0)
        {
            yield return BlockStart(index, w =>
            {
                w.WriteString("type", "text");
                w.WriteString("text", "");
            });
            yield return DemoWire.AnthropicPing;
            pinged = true;

            var pieces = reply.TextPieces;
            for (var i = 0; i < pieces.Count;)
            {
                if (i > 0)
                {
                    await pacer.WaitForTokensAsync(1, cancellationToken);
                }

                var group = Math.Min(pacer.NextGroupSize(3), pieces.Count - i);
                var text = string.Concat(pieces.Skip(i).Take(group));
                i += group;
                yield return Delta(index, w =>
                {
                    w.WriteString("type", "text_delta");
                    w.WriteString("text", text);
                });

                emitted += group;
                if (Breaks(reply, emitted))
                {
                    foreach (var chunk in Break(reply))
                    {
                        yield return chunk;
                    }

                    yield break;
                }
            }

            yield return BlockStop(index);
            index++;
        }

        if (reply.ToolCall is { } tool)
        {
            await pacer.WaitForTokensAsync(3, cancellationToken);
            yield return BlockStart(index, w =>
            {
                w.WriteString("type", "tool_use");
                w.WriteString("id", tool.Id);
                w.WriteString("name", tool.Name);
                w.WriteStartObject("input");
                w.WriteEndObject();
            });
            if (!pinged)
            {
                yield return DemoWire.AnthropicPing;
            }

            // The API opens every tool input with an empty fragment before the JSON itself.
            yield return InputJsonDelta(index, "");

            foreach (var fragment in tool.Fragments)
            {
                await pacer.WaitForTokensAsync(1, cancellationToken);
                yield return InputJsonDelta(index, fragment);

                emitted++;
                if (Breaks(reply, emitted))
                {
                    foreach (var chunk in Break(reply))
                    {
                        yield return chunk;
                    }

                    yield break;
                }
            }

            yield return BlockStop(index);
        }

        yield return DemoWire.Event("message_delta", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_delta");
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", StopReason(reply.StopReason));
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            w.WriteStartObject("usage");
            w.WriteNumber("output_tokens", reply.OutputTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        });

        yield return DemoWire.Event("message_stop", static w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_stop");
            w.WriteEndObject();
        });
    }

    public static string StopReason(DemoStopReason reason) => reason switch
    {
        DemoStopReason.ToolUse => "tool_use",
        DemoStopReason.MaxTokens => "max_tokens",
        _ => "end_turn",
    };

    private static bool Breaks(DemoReply reply, int emitted) => reply.BreakAfterPieces is { } limit && emitted >= limit;

    /// <summary>
    /// How a stream dies: either the API's documented mid-stream <c>overloaded_error</c> event, after
    /// which the server closes the stream, or the connection cut with no goodbye.
    /// </summary>
    private static IEnumerable<ReadOnlyMemory<byte>> Break(DemoReply reply)
    {
        if (!reply.BreakWithErrorEvent)
        {
            throw DemoUpstreamFaults.ConnectionCut();
        }

        yield return DemoWire.Event("error", static w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "error");
            w.WriteStartObject("error");
            w.WriteString("type", "overloaded_error");
            w.WriteString("message", "Overloaded");
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static void WriteUsage(Utf8JsonWriter w, DemoReply reply, int outputTokens)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", reply.UncachedInputTokens);
        w.WriteNumber("cache_creation_input_tokens", reply.CacheCreationTokens);
        w.WriteNumber("cache_read_input_tokens", reply.CacheReadTokens);
        w.WriteNumber("output_tokens", outputTokens);
        w.WriteString("service_tier", "standard");
        w.WriteEndObject();
    }

    private static byte[] BlockStart(int index, Action<Utf8JsonWriter> writeBlock) => DemoWire.Event("content_block_start", w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "content_block_start");
        w.WriteNumber("index", index);
        w.WriteStartObject("content_block");
        writeBlock(w);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static byte[] Delta(int index, Action<Utf8JsonWriter> writeDelta) => DemoWire.Event("content_block_delta", w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "content_block_delta");
        w.WriteNumber("index", index);
        w.WriteStartObject("delta");
        writeDelta(w);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static byte[] InputJsonDelta(int index, string partialJson) => Delta(index, w =>
    {
        w.WriteString("type", "input_json_delta");
        w.WriteString("partial_json", partialJson);
    });

    private static byte[] BlockStop(int index) => DemoWire.Event("content_block_stop", w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "content_block_stop");
        w.WriteNumber("index", index);
        w.WriteEndObject();
    });
}
