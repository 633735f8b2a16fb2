using System.Text;
using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// Property: an Anthropic request translated to OpenAI and back keeps its meaning. "Meaning" is the
/// request in a normal form that erases only what the formats cannot tell apart: a string vs a list of
/// text blocks, adjacent text blocks vs one joined with a blank line, and an absent vs false <c>stream</c>.
/// </summary>
public sealed class TranslationRoundTripTests
{
    private const int Cases = 400;

    [Fact]
    public void AnthropicToOpenAIToAnthropic_GeneratedConversationsWithTools_KeepMeaning()
    {
        var random = new Random(20260601);
        for (var i = 0; i < Cases; i++)
        {
            var original = JsonOutputBytes(Generate(random));

            var openAI = AnthropicToOpenAIRequest.Translate(original, Context("gpt-4o"));
            var back = OpenAIToAnthropicRequest.Translate(openAI, Context("claude-x"));

            var expected = Normalize(JsonNode.Parse(original)!.AsObject());
            var actual = Normalize(JsonNode.Parse(back)!.AsObject());
            JsonEqual(expected, actual, $"case {i}\noriginal: {Encoding.UTF8.GetString(original)}\nopenai: {Encoding.UTF8.GetString(openAI)}");
        }
    }

    [Fact]
    public void AnthropicToOpenAIToAnthropic_Responses_KeepContentStopReasonAndUsage()
    {
        var random = new Random(7);
        for (var i = 0; i < Cases; i++)
        {
            var content = new JsonArray();
            if (random.Next(3) > 0)
            {
                content.Add(new JsonObject { ["type"] = "text", ["text"] = Text(random) });
            }

            var tools = random.Next(0, 4);
            for (var t = 0; t < tools; t++)
            {
                content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = $"toolu_{i}_{t}", ["name"] = $"tool_{t}", ["input"] = Input(random, 0) });
            }

            var stop = tools > 0 ? "tool_use" : random.Next(2) == 0 ? "end_turn" : "max_tokens";
            var usage = new JsonObject { ["input_tokens"] = random.Next(1, 5000), ["cache_creation_input_tokens"] = 0, ["cache_read_input_tokens"] = random.Next(0, 5000), ["output_tokens"] = random.Next(1, 900) };
            var message = new JsonObject
            {
                ["id"] = $"msg_{i}",
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = "claude-x",
                ["content"] = content,
                ["stop_reason"] = stop,
                ["stop_sequence"] = null,
                ["usage"] = usage,
            };

            var openAI = AnthropicToOpenAIResponse.Translate(JsonOutputBytes(message), Context("claude-x"));
            var back = JsonNode.Parse(OpenAIToAnthropicResponse.Translate(openAI, Context("claude-x")))!;

            JsonEqual(JsonNode.Parse(message.ToJsonString()), back, $"case {i}");
        }
    }

    [Fact]
    public void AnthropicStreamToOpenAIAndBack_GeneratedStreamsSplitAtRandom_KeepTheMessage()
    {
        var random = new Random(99);
        for (var i = 0; i < 200; i++)
        {
            var (stream, message) = GenerateStream(random, i);
            var bytes = Utf8(stream);

            var openAICtx = Context("claude-x");
            openAICtx.ClientIncludeUsage = true;
            var openAI = RunStream((c, w) => new AnthropicToOpenAIStreamTranslator(c, w), openAICtx, RandomChunks(random, bytes));
            var back = RunStream((c, w) => new OpenAIToAnthropicStreamTranslator(c, w), Context("claude-x", estimatedInput: 5), RandomChunks(random, Utf8(openAI)));

            JsonEqual(message, Accumulate(back), $"case {i}\nupstream:\n{stream}\nopenai:\n{openAI}\nback:\n{back}");
        }
    }

    private static IEnumerable<byte[]> RandomChunks(Random r, byte[] bytes)
    {
        var chunks = new List<byte[]>();
        var at = 0;
        while (at < bytes.Length)
        {
            var n = Math.Min(bytes.Length - at, r.Next(1, 200));
            chunks.Add(bytes[at..(at + n)]);
            at += n;
        }

        return chunks;
    }

    /// <summary>An Anthropic stream of text and tool_use blocks cut into random fragments, and the message it describes.</summary>
    private static (string Stream, JsonObject Message) GenerateStream(Random r, int seed)
    {
        var sb = new StringBuilder();
        void Event(string name, JsonObject data) => sb.Append("event: ").Append(name).Append("\ndata: ").Append(data.ToJsonString()).Append("\n\n");

        var input = r.Next(1, 3000);
        var cached = r.Next(0, 3000);
        var output = r.Next(1, 500);
        Event("message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = $"msg_{seed}", ["type"] = "message", ["role"] = "assistant", ["model"] = "claude-x", ["content"] = new JsonArray(),
                ["stop_reason"] = null, ["stop_sequence"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = input, ["cache_creation_input_tokens"] = 0, ["cache_read_input_tokens"] = cached, ["output_tokens"] = 1 },
            },
        });

        var content = new JsonArray();
        var index = 0;
        if (r.Next(3) > 0)
        {
            var text = Text(r) + " " + Text(r);
            content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
            Event("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } });
            foreach (var piece in Pieces(r, text))
            {
                Event("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = piece } });
            }

            Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index });
            index++;
        }

        var calls = r.Next(0, 4);
        for (var c = 0; c < calls; c++)
        {
            var args = Input(r, 0);
            var id = $"toolu_{seed}_{c}";
            content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = id, ["name"] = $"tool_{c}", ["input"] = args });
            Event("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = id, ["name"] = $"tool_{c}", ["input"] = new JsonObject() } });
            foreach (var piece in Pieces(r, args.ToJsonString()))
            {
                Event("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece } });
            }

            Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index });
            index++;
        }

        var stop = calls > 0 ? "tool_use" : r.Next(2) == 0 ? "end_turn" : "max_tokens";
        Event("message_delta", new JsonObject { ["type"] = "message_delta", ["delta"] = new JsonObject { ["stop_reason"] = stop, ["stop_sequence"] = null }, ["usage"] = new JsonObject { ["output_tokens"] = output } });
        Event("message_stop", new JsonObject { ["type"] = "message_stop" });

        var message = new JsonObject
        {
            ["content"] = content,
            ["stop_reason"] = stop,
            ["usage"] = new JsonObject { ["input_tokens"] = input, ["cache_read_input_tokens"] = cached, ["output_tokens"] = output },
        };
        return (sb.ToString(), message);
    }

    private static List<string> Pieces(Random r, string s)
    {
        var pieces = new List<string>();
        var at = 0;
        while (at < s.Length)
        {
            var n = Math.Min(s.Length - at, r.Next(1, 8));
            if (char.IsHighSurrogate(s[at + n - 1]) && at + n < s.Length)
            {
                n++;
            }

            pieces.Add(s.Substring(at, n));
            at += n;
        }

        return pieces;
    }

    /// <summary>Rebuilds the message an Anthropic SDK would from the client events (content, stop reason, final usage).</summary>
    private static JsonObject Accumulate(string sse)
    {
        var content = new JsonArray();
        var json = new Dictionary<int, StringBuilder>();
        string? stop = null;
        JsonNode? usage = null;
        foreach (var (name, data) in Events(sse))
        {
            var e = JsonNode.Parse(data)!;
            switch (name)
            {
                case "content_block_start":
                    var block = e["content_block"]!.DeepClone().AsObject();
                    content.Add(block);
                    Assert.Equal(content.Count - 1, (int)e["index"]!);
                    if ((string)block["type"]! == "tool_use")
                    {
                        json[(int)e["index"]!] = new StringBuilder();
                    }

                    break;
                case "content_block_delta":
                    var i = (int)e["index"]!;
                    if ((string)e["delta"]!["type"]! == "text_delta")
                    {
                        content[i]!["text"] = (string)content[i]!["text"]! + (string)e["delta"]!["text"]!;
                    }
                    else
                    {
                        json[i].Append((string)e["delta"]!["partial_json"]!);
                    }

                    break;
                case "content_block_stop":
                    var stopped = (int)e["index"]!;
                    if (json.TryGetValue(stopped, out var args))
                    {
                        content[stopped]!["input"] = args.Length == 0 ? new JsonObject() : JsonNode.Parse(args.ToString());
                    }

                    break;
                case "message_delta":
                    stop = (string?)e["delta"]!["stop_reason"];
                    usage = e["usage"]!.DeepClone();
                    break;
            }
        }

        return new JsonObject { ["content"] = content, ["stop_reason"] = stop, ["usage"] = usage };
    }

    private static byte[] JsonOutputBytes(JsonNode node) => Utf8(node.ToJsonString());

    private static JsonObject Generate(Random r)
    {
        var request = new JsonObject { ["model"] = "claude-x", ["max_tokens"] = r.Next(1, 8000) };
        switch (r.Next(3))
        {
            case 0:
                request["system"] = Text(r);
                break;
            case 1:
                var blocks = new JsonArray();
                for (var i = r.Next(1, 4); i > 0; i--)
                {
                    blocks.Add(new JsonObject { ["type"] = "text", ["text"] = Text(r) });
                }

                request["system"] = blocks;
                break;
        }

        var toolCount = r.Next(0, 4);
        if (toolCount > 0)
        {
            var tools = new JsonArray();
            for (var i = 0; i < toolCount; i++)
            {
                var tool = new JsonObject { ["name"] = $"tool_{i}" };
                if (r.Next(2) == 0)
                {
                    tool["description"] = Text(r);
                }

                tool["input_schema"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject { ["a"] = new JsonObject { ["type"] = "string" }, ["n"] = new JsonObject { ["type"] = "integer" } },
                    ["required"] = new JsonArray("a"),
                };
                tools.Add(tool);
            }

            request["tools"] = tools;
            if (r.Next(2) == 0)
            {
                var type = new[] { "auto", "any", "none", "tool" }[r.Next(4)];
                var choice = new JsonObject { ["type"] = type };
                if (type == "tool")
                {
                    choice["name"] = $"tool_{r.Next(toolCount)}";
                }

                if (type != "none" && r.Next(2) == 0)
                {
                    choice["disable_parallel_tool_use"] = true;
                }

                request["tool_choice"] = choice;
            }
        }

        if (r.Next(3) == 0)
        {
            request["stop_sequences"] = new JsonArray("###", Text(r));
        }

        if (r.Next(2) == 0)
        {
            request["temperature"] = Math.Round(r.NextDouble(), 2);
        }

        if (r.Next(3) == 0)
        {
            request["top_p"] = Math.Round(r.NextDouble(), 2);
        }

        if (r.Next(3) == 0)
        {
            request["metadata"] = new JsonObject { ["user_id"] = $"user-{r.Next(1000)}" };
        }

        if (r.Next(2) == 0)
        {
            request["stream"] = r.Next(2) == 0;
        }

        var messages = new JsonArray();
        var pendingToolUses = new List<string>();
        var turns = r.Next(1, 7);
        for (var turn = 0; turn < turns; turn++)
        {
            messages.Add(new JsonObject { ["role"] = "user", ["content"] = UserContent(r, pendingToolUses) });
            pendingToolUses.Clear();
            if (turn < turns - 1)
            {
                messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = AssistantContent(r, turn, toolCount, pendingToolUses) });
            }
        }

        request["messages"] = messages;
        return request;
    }

    private static JsonNode UserContent(Random r, List<string> toolUses)
    {
        if (toolUses.Count == 0 && r.Next(2) == 0)
        {
            return Text(r);
        }

        // Claude Code's shape: the tool results first, then anything the user adds.
        var blocks = new JsonArray();
        foreach (var id in toolUses)
        {
            var result = new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = id };
            if (r.Next(2) == 0)
            {
                result["content"] = Text(r);
            }
            else
            {
                var parts = new JsonArray();
                for (var i = r.Next(1, 3); i > 0; i--)
                {
                    parts.Add(new JsonObject { ["type"] = "text", ["text"] = Text(r) });
                }

                result["content"] = parts;
            }

            if (r.Next(4) == 0)
            {
                result["is_error"] = true;
            }

            blocks.Add(result);
        }

        var extra = toolUses.Count == 0 ? r.Next(1, 4) : r.Next(0, 3);
        for (var i = 0; i < extra; i++)
        {
            blocks.Add(r.Next(3) switch
            {
                0 => new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "image/png", ["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(Text(r))) } },
                1 => new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "url", ["url"] = $"https://example.com/{r.Next(100)}.png" } },
                _ => new JsonObject { ["type"] = "text", ["text"] = Text(r) },
            });
        }

        return blocks;
    }

    private static JsonNode AssistantContent(Random r, int turn, int toolCount, List<string> toolUses)
    {
        var calls = toolCount == 0 ? 0 : r.Next(0, 4);
        if (calls == 0 && r.Next(2) == 0)
        {
            return Text(r);
        }

        var blocks = new JsonArray();
        if (calls == 0 || r.Next(2) == 0)
        {
            blocks.Add(new JsonObject { ["type"] = "text", ["text"] = Text(r) });
        }

        for (var i = 0; i < calls; i++)
        {
            var id = $"toolu_{turn}_{i}_{r.Next(1_000_000)}";
            toolUses.Add(id);
            blocks.Add(new JsonObject { ["type"] = "tool_use", ["id"] = id, ["name"] = $"tool_{r.Next(toolCount)}", ["input"] = Input(r, 0) });
        }

        return blocks;
    }

    private static readonly string[] s_words = ["alpha", "beta", "ünïcödé", "\"quoted\"", "back\\slash", "line\nbreak", "tab\t", "日本語", "emoji 🚀", "<html>", "{json}", "[DONE]", "data: x"];

    private static string Text(Random r)
    {
        var sb = new StringBuilder();
        for (var i = r.Next(1, 6); i > 0; i--)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(s_words[r.Next(s_words.Length)]);
        }

        return sb.ToString();
    }

    private static JsonObject Input(Random r, int depth)
    {
        var input = new JsonObject();
        for (var i = r.Next(0, 4); i > 0; i--)
        {
            input[$"k{i}"] = r.Next(depth < 2 ? 6 : 4) switch
            {
                0 => Text(r),
                1 => r.Next(-1000, 1000),
                2 => r.Next(2) == 0,
                3 => null,
                4 => Input(r, depth + 1),
                _ => new JsonArray(Text(r), r.Next(10)),
            };
        }

        return input;
    }

    private static JsonObject Normalize(JsonObject request)
    {
        var n = new JsonObject();
        var system = request["system"] switch
        {
            JsonArray blocks => string.Join("\n\n", blocks.Select(b => (string)b!["text"]!)),
            JsonNode s => (string)s!,
            null => "",
        };
        if (system.Length > 0)
        {
            n["system"] = system;
        }

        var messages = new JsonArray();
        foreach (var message in request["messages"]!.AsArray())
        {
            var role = (string)message!["role"]!;
            var blocks = message["content"] is JsonArray a ? a.Select(b => NormalizeBlock(b!)).ToList() : [new JsonObject { ["type"] = "text", ["text"] = (string)message["content"]! }];
            var merged = new JsonArray();
            foreach (var block in blocks)
            {
                if ((string)block["type"]! == "text" && merged.Count > 0 && (string)merged[^1]!["type"]! == "text")
                {
                    merged[^1]!["text"] = (string)merged[^1]!["text"]! + "\n\n" + (string)block["text"]!;
                }
                else
                {
                    merged.Add(block);
                }
            }

            messages.Add(new JsonObject { ["role"] = role, ["content"] = merged });
        }

        n["messages"] = messages;
        foreach (var key in new[] { "tools", "tool_choice", "stop_sequences", "max_tokens", "temperature", "top_p", "metadata" })
        {
            if (request[key] is { } value)
            {
                n[key] = value.DeepClone();
            }
        }

        n["stream"] = request["stream"]?.GetValue<bool>() ?? false;
        return n;
    }

    private static JsonObject NormalizeBlock(JsonNode block)
    {
        var copy = block.DeepClone().AsObject();
        if ((string)copy["type"]! == "tool_result")
        {
            if (copy["content"] is JsonArray parts)
            {
                copy["content"] = string.Join("\n\n", parts.Select(p => (string)p!["text"]!));
            }

            if (copy["is_error"] is { } e && !e.GetValue<bool>())
            {
                copy.Remove("is_error");
            }
        }

        return copy;
    }
}
