using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.ResponsesRequestSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class ResponsesToAnthropicRequestTests
{
    private static readonly Func<byte[], TranslationContext, byte[]> s_translate = (body, ctx) => ResponsesToAnthropicRequest.Translate(body, ctx);

    private static readonly string s_thinking1 = ThinkingEnvelope.EncodeThinking("Plan: look it up.", "sig-1");
    private static readonly string s_thinking2 = ThinkingEnvelope.EncodeThinking("Now run SQL.", "sig-2");
    private static readonly string s_redacted = ThinkingEnvelope.EncodeRedacted("opaque-data");

    [Fact]
    public void Translate_CodexToolRoundTrip_ThinkingLeadsTheToolTurn()
    {
        var recording = RecordingJson(CodexRecording);
        var dropped = new List<string>();
        var ctx = NotesContext("claude-sonnet-4-6", dropped);

        var result = (JsonObject)JsonNode.Parse(ResponsesToAnthropicRequest.Translate(Recording(CodexRecording), ctx))!;

        // Codex's two developer messages are the system prompt, one block per content part, in order.
        var expectedSystem = recording["input"]!.AsArray().Take(2).SelectMany(m => m!["content"]!.AsArray()).Select(p => p!["text"]!.GetValue<string>());
        Assert.Equal(expectedSystem, ((JsonArray)result["system"]!).Select(b => b!["text"]!.GetValue<string>()));

        var messages = (JsonArray)result["messages"]!;
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal(2, messages[0]!["content"]!.AsArray().Count);
        JsonEqual(
            JsonNode.Parse("""
                [{"type":"thinking","thinking":"The user wants me to run echo. I will call exec_command.","signature":"EqQBCkYIBxgCKkDsig"},
                 {"type":"tool_use","id":"call_1","name":"exec_command","input":{"cmd":"echo inflight-tool-ok"}}]
                """),
            messages[1]!["content"]);
        var toolResult = messages[2]!["content"]![0]!;
        Assert.Equal("call_1", toolResult["tool_use_id"]!.GetValue<string>());
        Assert.Contains("inflight-tool-ok", toolResult["content"]!.GetValue<string>(), StringComparison.Ordinal);

        var tools = (JsonArray)result["tools"]!;
        Assert.Equal(
            ["exec_command", "write_stdin", "request_user_input", "apply_patch", "view_image", "get_goal", "create_goal", "update_goal"],
            Names(tools, t => t["name"]!.GetValue<string>()));
        JsonEqual(recording["tools"]![0]!["parameters"], tools[0]!["input_schema"], "schemas are copied as the client wrote them");
        Assert.Null(tools[0]!["strict"]);

        JsonEqual(JsonNode.Parse("""{"type":"adaptive"}"""), result["thinking"]);
        JsonEqual(JsonNode.Parse("""{"effort":"high"}"""), result["output_config"]);
        JsonEqual(JsonNode.Parse("""{"type":"auto"}"""), result["tool_choice"]);
        JsonEqual(JsonNode.Parse("""{"type":"ephemeral"}"""), result["cache_control"]);
        Assert.Equal(16384, result["max_tokens"]!.GetValue<int>());
        Assert.True(result["stream"]!.GetValue<bool>());
        Assert.True(ctx.ClientStream);
        Assert.Equal(
            [
                "custom tool grammar written into the tool description (not enforced)",
                "dropped: hosted tool tool_search",
                "dropped: hosted tool web_search",
                "prompt_cache_key → automatic prompt caching (cache_control)",
                "dropped: text.verbosity",
                "dropped: client_metadata",
                "reasoning.effort high → thinking adaptive, effort high",
            ],
            dropped);
    }

    [Fact]
    public void Translate_CodexCustomToolRoundTrip_ToolUseCarriesTheFreeformInput()
    {
        var ctx = Context("claude-opus-4-7");

        var result = (JsonObject)JsonNode.Parse(ResponsesToAnthropicRequest.Translate(Recording(CodexCustomToolRecording), ctx))!;

        var messages = (JsonArray)result["messages"]!;
        var assistant = messages[^2]!["content"]!.AsArray();
        Assert.Equal(["thinking", "tool_use"], assistant.Select(b => b!["type"]!.GetValue<string>()));
        JsonEqual(new JsonObject { ["type"] = "tool_use", ["id"] = "call_1", ["name"] = "apply_patch", ["input"] = new JsonObject { ["input"] = ApplyPatchInput } }, assistant[1]);
        var toolResult = messages[^1]!["content"]![0]!;
        Assert.Equal("call_1", toolResult["tool_use_id"]!.GetValue<string>());
        Assert.Contains("Success. Updated the following files", toolResult["content"]!.GetValue<string>(), StringComparison.Ordinal);
        JsonEqual(JsonNode.Parse("""{"type":"adaptive"}"""), result["thinking"]);
    }

    [Fact]
    public void Translate_CodexWithoutEffort_NoThinkingAndNamespaceToolsFlattened()
    {
        var dropped = new List<string>();
        var ctx = NotesContext("claude-sonnet-4-6", dropped);

        var result = (JsonObject)JsonNode.Parse(ResponsesToAnthropicRequest.Translate(Recording(CodexFallbackRecording), ctx))!;

        Assert.Null(result["thinking"]);
        Assert.Null(result["output_config"]);
        Assert.Contains("multi_agent_v1__wait_agent", Names((JsonArray)result["tools"]!, t => t["name"]!.GetValue<string>()));
        Assert.Equal(new ClientToolName("wait_agent", "multi_agent_v1"), ctx.ToolNamesForClient!["multi_agent_v1__wait_agent"]);
        Assert.Contains("dropped: reasoning.summary (thinking is off)", dropped);
    }

    [Fact]
    public void Translate_SdkConversation_MapsEveryField()
    {
        var body = $$$$"""
            {
              "model": "anthropic:claude-opus-4-7",
              "instructions": "You are terse.",
              "input": [
                {"role": "developer", "content": [{"type": "input_text", "text": "Use tools."}]},
                {"role": "user", "content": [
                  {"type": "input_text", "text": "What is in this image and file?"},
                  {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "auto"},
                  {"type": "input_image", "image_url": "https://example.com/a.png"},
                  {"type": "input_file", "filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}
                ]},
                {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "{{{{s_thinking1}}}}"},
                {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Let me check."}]},
                {"type": "function_call", "call_id": "toolu_a", "name": "lookup", "namespace": "crm", "arguments": "{\"id\":7}"},
                {"type": "reasoning", "id": "rs_2", "summary": [], "encrypted_content": "{{{{s_thinking2}}}}"},
                {"type": "reasoning", "id": "rs_3", "summary": [], "encrypted_content": "{{{{s_redacted}}}}"},
                {"type": "custom_tool_call", "call_id": "toolu_b", "name": "run_sql", "input": "SELECT 1"},
                {"type": "function_call_output", "call_id": "toolu_a", "output": [{"type": "input_text", "text": "found"}, {"type": "input_image", "image_url": "https://example.com/chart.png"}]},
                {"type": "custom_tool_call_output", "call_id": "toolu_b", "output": "1"}
              ],
              "tools": [
                {"type": "namespace", "name": "crm", "tools": [
                  {"type": "function", "name": "lookup", "description": "Find a customer", "strict": true, "parameters": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"], "additionalProperties": false}}
                ]},
                {"type": "custom", "name": "run_sql", "description": "Run SQL"}
              ],
              "tool_choice": "auto",
              "parallel_tool_calls": false,
              "reasoning": {"effort": "medium", "summary": "detailed"},
              "text": {"format": {"type": "json_schema", "name": "answer", "strict": true, "schema": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": false}}},
              "max_output_tokens": 2000,
              "safety_identifier": "hashed-user",
              "user": "u-1",
              "include": ["reasoning.encrypted_content"],
              "store": false,
              "stream": true
            }
            """;
        var dropped = new List<string>();
        var ctx = NotesContext("claude-opus-4-7", dropped);

        var result = ResponsesToAnthropicRequest.Translate(Utf8(body), ctx);

        JsonEqual("""
            {
              "model": "claude-opus-4-7",
              "system": [{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Use tools."}],
              "messages": [
                {"role": "user", "content": [
                  {"type": "text", "text": "What is in this image and file?"},
                  {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                  {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                  {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}, "title": "a.pdf"}
                ]},
                {"role": "assistant", "content": [
                  {"type": "thinking", "thinking": "Plan: look it up.", "signature": "sig-1"},
                  {"type": "text", "text": "Let me check."},
                  {"type": "tool_use", "id": "toolu_a", "name": "crm__lookup", "input": {"id": 7}},
                  {"type": "thinking", "thinking": "Now run SQL.", "signature": "sig-2"},
                  {"type": "redacted_thinking", "data": "opaque-data"},
                  {"type": "tool_use", "id": "toolu_b", "name": "run_sql", "input": {"input": "SELECT 1"}}
                ]},
                {"role": "user", "content": [
                  {"type": "tool_result", "tool_use_id": "toolu_a", "content": [
                    {"type": "text", "text": "found"},
                    {"type": "image", "source": {"type": "url", "url": "https://example.com/chart.png"}}
                  ]},
                  {"type": "tool_result", "tool_use_id": "toolu_b", "content": "1"}
                ]}
              ],
              "metadata": {"user_id": "hashed-user"},
              "stream": true,
              "tools": [
                {"name": "crm__lookup", "description": "Find a customer", "input_schema": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"], "additionalProperties": false}, "strict": true},
                {"name": "run_sql", "description": "Run SQL", "input_schema": {"type": "object", "properties": {"input": {"type": "string", "description": "The tool's freeform input."}}, "required": ["input"], "additionalProperties": false}}
              ],
              "tool_choice": {"type": "auto", "disable_parallel_tool_use": true},
              "thinking": {"type": "adaptive"},
              "output_config": {"format": {"type": "json_schema", "schema": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": false}}, "effort": "medium"},
              "max_tokens": 2000
            }
            """, result);
        Assert.Equal(["reasoning.effort medium → thinking adaptive, effort medium"], dropped);
        Assert.Equal(new ClientToolName("run_sql", null) { Kind = ClientToolKind.Custom }, ctx.ToolNamesForClient!["run_sql"]);
        Assert.Equal(new ClientToolName("lookup", "crm"), ctx.ToolNamesForClient["crm__lookup"]);
    }

    [Fact]
    public void Translate_ForeignAndOrphanReasoning_DroppedAndRecorded()
    {
        var body = $$"""
            {"model":"m","input":[
              {"role":"user","content":"Hi"},
              {"type":"reasoning","summary":[{"type":"summary_text","text":"thinking..."}],"encrypted_content":"gAAAAABopenai-encrypted"},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hello"}]},
              {"type":"reasoning","summary":[],"encrypted_content":"{{s_thinking1}}"},
              {"role":"user","content":"Again"}
            ]}
            """;
        var dropped = new List<string>();

        var result = Translate(s_translate, body, NotesContext("claude-sonnet-4-5", dropped));

        JsonEqual(
            JsonNode.Parse("""
                [{"role":"user","content":[{"type":"text","text":"Hi"}]},
                 {"role":"assistant","content":[{"type":"text","text":"Hello"}]},
                 {"role":"user","content":[{"type":"text","text":"Again"}]}]
                """),
            result["messages"]);
        Assert.Equal(
            ["dropped: reasoning item not made by Inflight (Anthropic cannot read it)", "dropped: reasoning item with no assistant output after it"],
            dropped);
    }

    [Fact]
    public void Translate_ToolContinuationWithoutThinkingBlock_SendsNoThinking()
    {
        // A history that came through a Chat provider has no thinking to send back; Anthropic would reject thinking here.
        var body = """
            {"model":"m","reasoning":{"effort":"high"},"tools":[{"type":"function","name":"f"}],"input":[
              {"role":"user","content":"Hi"},
              {"type":"function_call","call_id":"toolu_1","name":"f","arguments":"{}"},
              {"type":"function_call_output","call_id":"toolu_1","output":"ok"}
            ]}
            """;
        var dropped = new List<string>();

        var result = Translate(s_translate, body, NotesContext("claude-sonnet-4-6", dropped));

        Assert.Null(result["thinking"]);
        Assert.Null(result["output_config"]);
        Assert.Contains("reasoning.effort high → no thinking (tool continuation without the earlier thinking block)", dropped);
    }

    [Fact]
    public void Translate_EarlierToolTurnWithoutThinking_ThinkingStaysOn()
    {
        // Only the turn being continued must carry its thinking; a finished tool loop from before needs none.
        var body = """
            {"model":"m","reasoning":{"effort":"high"},"tools":[{"type":"function","name":"f"}],"input":[
              {"role":"user","content":"Hi"},
              {"type":"function_call","call_id":"toolu_1","name":"f","arguments":"{}"},
              {"type":"function_call_output","call_id":"toolu_1","output":"ok"},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Done."}]},
              {"role":"user","content":"Thanks, now again"}
            ]}
            """;

        var result = Translate(s_translate, body, Context("claude-sonnet-4-6"));

        JsonEqual(JsonNode.Parse("""{"type":"adaptive"}"""), result["thinking"]);
    }

    [Fact]
    public void Translate_ForcedToolChoiceWithEffort_SendsNoThinking()
    {
        var dropped = new List<string>();

        var result = Translate(s_translate, """{"model":"m","input":"Hi","reasoning":{"effort":"low"},"tools":[{"type":"function","name":"f"}],"tool_choice":"required"}""", NotesContext("claude-sonnet-4-6", dropped));

        Assert.Null(result["thinking"]);
        JsonEqual(JsonNode.Parse("""{"type":"any"}"""), result["tool_choice"]);
        Assert.Contains("reasoning.effort low → no thinking (Anthropic does not combine thinking with a forced tool_choice)", dropped);
    }

    [Theory]
    [InlineData("claude-sonnet-4-5", "high", """{"type":"enabled","budget_tokens":16384}""", null, 20480)]
    [InlineData("claude-3-7-sonnet-latest", "minimal", """{"type":"enabled","budget_tokens":1024}""", null, 4096)]
    [InlineData("claude-opus-4-6", "xhigh", """{"type":"adaptive"}""", "max", 16384)]
    [InlineData("claude-sonnet-4-6", "xhigh", """{"type":"adaptive"}""", "high", 16384)]
    [InlineData("claude-sonnet-5", "low", """{"type":"adaptive"}""", "low", 16384)]
    [InlineData("claude-sonnet-4-6", "none", null, null, 4096)]
    public void Translate_ReasoningEffort_FollowsTheModelsThinkingApi(string model, string effort, string? thinking, string? anthropicEffort, int maxTokens)
    {
        var result = Translate(s_translate, $$"""{"model":"m","input":"Hi","reasoning":{"effort":"{{effort}}"},"temperature":0.5}""", Context(model));

        JsonEqual(thinking is null ? null : JsonNode.Parse(thinking), result["thinking"]);
        Assert.Equal(anthropicEffort, result["output_config"]?["effort"]?.GetValue<string>());
        Assert.Equal(maxTokens, result["max_tokens"]!.GetValue<int>());
        Assert.Equal(thinking is null, result["temperature"] is not null);
    }

    [Fact]
    public void Translate_LateDeveloperMessageAndJsonObject_FoldedIntoSystem()
    {
        var body = """
            {"model":"m","input":[
              {"role":"user","content":"Hi"},
              {"role":"developer","content":"Now answer in French."},
              {"role":"user","content":"Bonjour"}
            ],"text":{"format":{"type":"json_object"}},"temperature":1.5,"top_p":0.9}
            """;
        var dropped = new List<string>();

        var result = Translate(s_translate, body, NotesContext("claude-sonnet-4-6", dropped));

        JsonEqual(
            JsonNode.Parse("""[{"type":"text","text":"Now answer in French."},{"type":"text","text":"Respond with a single valid JSON object and nothing else: no prose, no code fences."}]"""),
            result["system"]);
        JsonEqual(JsonNode.Parse("""[{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"Bonjour"}]}]"""), result["messages"]);
        Assert.Equal(1.0, result["temperature"]!.GetValue<double>());
        Assert.Null(result["top_p"]);
        Assert.Equal(
            [
                "developer message after the first turn moved to system",
                "text.format json_object approximated by a system instruction",
                "temperature above 1 clamped to 1 (Anthropic's range is 0-1)",
                "dropped: top_p (Claude takes temperature or top_p, not both)",
            ],
            dropped);
    }

    [Fact]
    public void Translate_AllowedTools_SendsOnlyTheAllowedTools()
    {
        var body = """
            {"model":"m","input":"Hi","tools":[{"type":"function","name":"a"},{"type":"function","name":"b"}],
             "tool_choice":{"type":"allowed_tools","mode":"auto","tools":[{"type":"function","name":"b"}]}}
            """;

        var result = Translate(s_translate, body, Context("claude-sonnet-4-6"));

        Assert.Equal(["b"], Names((JsonArray)result["tools"]!, t => t["name"]!.GetValue<string>()));
        JsonEqual(JsonNode.Parse("""{"type":"auto"}"""), result["tool_choice"]);
    }

    [Fact]
    public void Translate_PlainTextFile_BecomesTextDocument()
    {
        var body = """{"model":"m","input":[{"role":"user","content":[{"type":"input_file","filename":"n.txt","file_data":"data:text/plain;base64,aGVsbG8="}]}]}""";

        var result = Translate(s_translate, body, Context("claude-sonnet-4-6"));

        JsonEqual(
            JsonNode.Parse("""{"type":"document","source":{"type":"text","media_type":"text/plain","data":"hello"},"title":"n.txt"}"""),
            result["messages"]![0]!["content"]![0]);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"Hi","previous_response_id":"resp_1"}""", "previous_response_id: Inflight is stateless")]
    [InlineData("""{"model":"m","input":"Hi","conversation":{"id":"conv_1"}}""", "conversation: Inflight is stateless")]
    [InlineData("""{"model":"m","input":[]}""", "input: at least one user or assistant message")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_data":"data:application/zip;base64,UEs="}]}]}""", "input[0].content[0].file_data: only PDF and plain-text files")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_image","image_url":"data:image/png,raw"}]}]}""", "input[0].content[0]: a data URL must be base64")]
    [InlineData("""{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":[{"type":"input_file","file_data":"x"}]}]}""", "input[0].output[0].type: 'input_file' cannot be part of a tool result")]
    [InlineData("""{"model":"m","input":"Hi","reasoning":{"effort":"extreme"}}""", "reasoning.effort: must be 'none', 'minimal', 'low', 'medium', 'high' or 'xhigh'")]
    [InlineData("""{"model":"m","input":"Hi","tools":[{"type":"image_generation"}]}""", "tools[0].type: tool type 'image_generation'")]
    [InlineData("""{"model":"m","input":"Hi","max_output_tokens":0}""", "max_output_tokens: must be a positive integer")]
    public void Translate_RefusedInput_400NamesTheField(string body, string expected)
    {
        var ex = Refused(s_translate, body, "claude-sonnet-4-6");

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }
}
