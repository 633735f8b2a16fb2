using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.ResponsesRequestSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class ResponsesToOpenAIRequestTests
{
    private static readonly Func<byte[], TranslationContext, byte[]> s_translate = (body, ctx) => ResponsesToOpenAIRequest.Translate(body, ctx);

    [Fact]
    public void Translate_CodexToolRoundTrip_KeepsConversationToolsAndSettings()
    {
        var recording = RecordingJson(CodexRecording);
        var dropped = new List<string>();
        var ctx = NotesContext("gpt-5.5", dropped);

        var result = (JsonObject)JsonNode.Parse(ResponsesToOpenAIRequest.Translate(Recording(CodexRecording), ctx))!;

        var messages = (JsonArray)result["messages"]!;
        Assert.Equal(["system", "system", "user", "user", "assistant", "tool"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal(recording["input"]![0]!["content"]![0]!["text"]!.GetValue<string>(), messages[0]!["content"]!.GetValue<string>());
        Assert.Equal(3, messages[1]!["content"]!.AsArray().Count);
        Assert.Equal("Run echo inflight-tool-ok and tell me the output", messages[3]!["content"]!.GetValue<string>());
        JsonEqual(
            JsonNode.Parse("""{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"exec_command","arguments":"{\"cmd\": \"echo inflight-tool-ok\"}"}}]}"""),
            messages[4]);
        Assert.Equal("call_1", messages[5]!["tool_call_id"]!.GetValue<string>());
        Assert.Contains("inflight-tool-ok", messages[5]!["content"]!.GetValue<string>(), StringComparison.Ordinal);

        // Every function and custom tool is offered; the hosted web_search and tool_search are not.
        var tools = (JsonArray)result["tools"]!;
        Assert.Equal(
            ["exec_command", "write_stdin", "request_user_input", "apply_patch", "view_image", "get_goal", "create_goal", "update_goal"],
            Names(tools, t => t["function"]!["name"]!.GetValue<string>()));
        JsonEqual(recording["tools"]![0]!["parameters"], tools[0]!["function"]!["parameters"], "schemas are copied as the client wrote them");
        Assert.False(tools[0]!["function"]!["strict"]!.GetValue<bool>());
        var applyPatch = tools[3]!["function"]!;
        JsonEqual(JsonNode.Parse("""{"type":"object","properties":{"input":{"type":"string","description":"The tool's freeform input."}},"required":["input"],"additionalProperties":false}"""), applyPatch["parameters"]);
        Assert.Contains("*** Begin Patch", applyPatch["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(new ClientToolName("apply_patch", null) { Kind = ClientToolKind.Custom }, ctx.ToolNamesForClient!["apply_patch"]);

        Assert.Equal("gpt-5.5", result["model"]!.GetValue<string>());
        Assert.Equal("auto", result["tool_choice"]!.GetValue<string>());
        Assert.True(result["parallel_tool_calls"]!.GetValue<bool>());
        Assert.Equal("high", result["reasoning_effort"]!.GetValue<string>());
        Assert.Equal("low", result["verbosity"]!.GetValue<string>());
        Assert.Equal(recording["prompt_cache_key"]!.GetValue<string>(), result["prompt_cache_key"]!.GetValue<string>());
        Assert.True(result["stream"]!.GetValue<bool>());
        JsonEqual(JsonNode.Parse("""{"include_usage":true}"""), result["stream_options"]);
        Assert.True(ctx.ClientStream);
        Assert.Null(result["store"]);
        Assert.Null(result["include"]);
        Assert.Equal(
            [
                "custom tool grammar written into the tool description (not enforced)",
                "dropped: hosted tool tool_search",
                "dropped: hosted tool web_search",
                "dropped: reasoning item (Chat Completions takes no reasoning back)",
                "reasoning.effort high → reasoning_effort high",
                "dropped: include reasoning.encrypted_content",
                "dropped: client_metadata",
            ],
            dropped);
    }

    [Fact]
    public void Translate_CodexCustomToolRoundTrip_CallCarriesTheFreeformInput()
    {
        var ctx = Context("gpt-5.5");

        var result = (JsonObject)JsonNode.Parse(ResponsesToOpenAIRequest.Translate(Recording(CodexCustomToolRecording), ctx))!;

        var messages = (JsonArray)result["messages"]!;
        var call = messages[^2]!["tool_calls"]![0]!;
        Assert.Equal("apply_patch", call["function"]!["name"]!.GetValue<string>());
        Assert.Equal(ApplyPatchInput, JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())!["input"]!.GetValue<string>());
        Assert.Equal("tool", messages[^1]!["role"]!.GetValue<string>());
        Assert.Equal(call["id"]!.GetValue<string>(), messages[^1]!["tool_call_id"]!.GetValue<string>());
        Assert.Contains("Success. Updated the following files", messages[^1]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(ClientToolKind.Custom, ctx.ToolNamesForClient!["apply_patch"].Kind);
    }

    [Fact]
    public void Translate_CodexNamespaceTools_FlattenedAndMappedBack()
    {
        var dropped = new List<string>();
        var ctx = NotesContext("gpt-5.5", dropped);

        var result = (JsonObject)JsonNode.Parse(ResponsesToOpenAIRequest.Translate(Recording(CodexFallbackRecording), ctx))!;

        var names = Names((JsonArray)result["tools"]!, t => t["function"]!["name"]!.GetValue<string>());
        Assert.Contains("multi_agent_v1__spawn_agent", names);
        Assert.Contains("multi_agent_v1__close_agent", names);
        Assert.Equal(new ClientToolName("spawn_agent", "multi_agent_v1"), ctx.ToolNamesForClient!["multi_agent_v1__spawn_agent"]);
        Assert.Equal(5, ctx.ToolNamesForClient.Count);
        Assert.Null(result["reasoning_effort"]);
        Assert.Contains("dropped: reasoning.summary", dropped);
        Assert.Contains("dropped: namespace tool description", dropped);
    }

    [Fact]
    public void Translate_SdkConversation_MapsEveryField()
    {
        var body = """
            {
              "model": "openai:gpt-4.1",
              "instructions": "You are terse.",
              "input": [
                {"role": "user", "content": [
                  {"type": "input_text", "text": "What is in this image and file?"},
                  {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"},
                  {"type": "input_file", "filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}
                ]},
                {"type": "message", "role": "assistant", "id": "msg_1", "status": "completed", "content": [{"type": "output_text", "text": "Let me check.", "annotations": []}]},
                {"type": "function_call", "id": "fc_1", "call_id": "call_a", "name": "lookup", "namespace": "crm", "arguments": "{\"id\":7}"},
                {"type": "custom_tool_call", "call_id": "call_b", "name": "run_sql", "input": "SELECT 1"},
                {"type": "function_call_output", "call_id": "call_a", "output": [{"type": "input_text", "text": "found"}, {"type": "input_image", "image_url": "https://example.com/chart.png"}]},
                {"type": "custom_tool_call_output", "call_id": "call_b", "output": "1"},
                {"role": "developer", "content": "Answer in French."},
                {"role": "user", "content": "Go on."}
              ],
              "tools": [
                {"type": "namespace", "name": "crm", "description": "CRM tools", "tools": [
                  {"type": "function", "name": "lookup", "description": "Find a customer", "strict": true, "parameters": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"], "additionalProperties": false}}
                ]},
                {"type": "custom", "name": "run_sql", "description": "Run SQL", "format": {"type": "text"}}
              ],
              "tool_choice": {"type": "function", "name": "lookup", "namespace": "crm"},
              "parallel_tool_calls": false,
              "text": {"format": {"type": "json_schema", "name": "answer", "strict": true, "schema": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": false}}},
              "max_output_tokens": 800,
              "temperature": 0.3,
              "top_p": 0.9,
              "user": "u-1",
              "safety_identifier": "hashed-user",
              "metadata": {"team": "blue"},
              "service_tier": "flex",
              "store": true,
              "truncation": "auto",
              "stream": false
            }
            """;
        var dropped = new List<string>();
        var ctx = NotesContext("gpt-4.1", dropped);

        var result = ResponsesToOpenAIRequest.Translate(Utf8(body), ctx);

        JsonEqual("""
            {
              "model": "gpt-4.1",
              "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": [
                  {"type": "text", "text": "What is in this image and file?"},
                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}},
                  {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"}}
                ]},
                {"role": "assistant", "content": "Let me check.", "tool_calls": [
                  {"id": "call_a", "type": "function", "function": {"name": "crm__lookup", "arguments": "{\"id\":7}"}},
                  {"id": "call_b", "type": "function", "function": {"name": "run_sql", "arguments": "{\"input\":\"SELECT 1\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "call_a", "content": "found"},
                {"role": "tool", "tool_call_id": "call_b", "content": "1"},
                {"role": "user", "content": [
                  {"type": "text", "text": "(returned by tool call call_a)"},
                  {"type": "image_url", "image_url": {"url": "https://example.com/chart.png"}}
                ]},
                {"role": "system", "content": "Answer in French."},
                {"role": "user", "content": "Go on."}
              ],
              "tools": [
                {"type": "function", "function": {"name": "crm__lookup", "description": "Find a customer", "parameters": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"], "additionalProperties": false}, "strict": true}},
                {"type": "function", "function": {"name": "run_sql", "description": "Run SQL", "parameters": {"type": "object", "properties": {"input": {"type": "string", "description": "The tool's freeform input."}}, "required": ["input"], "additionalProperties": false}}}
              ],
              "tool_choice": {"type": "function", "function": {"name": "crm__lookup"}},
              "parallel_tool_calls": false,
              "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": false}, "strict": true}},
              "max_tokens": 800,
              "temperature": 0.3,
              "top_p": 0.9,
              "user": "u-1",
              "safety_identifier": "hashed-user",
              "metadata": {"team": "blue"},
              "service_tier": "flex"
            }
            """, result);
        Assert.False(ctx.ClientStream);
        Assert.Equal(
            [
                "dropped: namespace tool description",
                "store: true — not stored (Inflight keeps no responses for translated providers)",
                "dropped: truncation auto (the provider fails a request over its context window instead)",
            ],
            dropped);
    }

    [Fact]
    public void Translate_StringInputToReasoningModel_UsesMaxCompletionTokensAndDropsSampling()
    {
        var dropped = new List<string>();

        var result = Translate(s_translate, """{"model":"o4-mini","input":"Hi","max_output_tokens":100,"temperature":0.2,"reasoning":{"effort":"low","summary":"auto"}}""", NotesContext("o4-mini", dropped));

        JsonEqual(JsonNode.Parse("""{"model":"o4-mini","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":100,"reasoning_effort":"low"}"""), result);
        Assert.Contains("dropped: temperature (not supported by reasoning model o4-mini)", dropped);
        Assert.Contains("dropped: reasoning.summary", dropped);
    }

    [Fact]
    public void Translate_EffortForNonReasoningModel_DroppedAndRecorded()
    {
        var dropped = new List<string>();

        var result = Translate(s_translate, """{"model":"m","input":"Hi","reasoning":{"effort":"high"},"text":{"verbosity":"high"}}""", NotesContext("gpt-4o-mini", dropped));

        Assert.Null(result["reasoning_effort"]);
        Assert.Null(result["verbosity"]);
        Assert.Contains("dropped: reasoning.effort (model gpt-4o-mini takes no reasoning_effort)", dropped);
        Assert.Contains("dropped: text.verbosity (model gpt-4o-mini takes no verbosity)", dropped);
    }

    [Fact]
    public void Translate_AllowedToolsAndJsonObject_MapToChatForms()
    {
        var body = """
            {"model":"m","input":"Hi",
             "tools":[{"type":"function","name":"a"},{"type":"function","name":"b"}],
             "tool_choice":{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"b"}]},
             "text":{"format":{"type":"json_object"}}}
            """;

        var result = Translate(s_translate, body, Context("gpt-4.1"));

        JsonEqual(JsonNode.Parse("""{"type":"allowed_tools","allowed_tools":{"mode":"required","tools":[{"type":"function","function":{"name":"b"}}]}}"""), result["tool_choice"]);
        JsonEqual(JsonNode.Parse("""{"type":"json_object"}"""), result["response_format"]);
        JsonEqual(JsonNode.Parse("""{"type":"object","properties":{}}"""), result["tools"]![0]!["function"]!["parameters"]);
    }

    [Fact]
    public void Translate_OnlyHostedTools_SendsNoToolFields()
    {
        var dropped = new List<string>();

        var result = Translate(s_translate, """{"model":"m","input":"Hi","tools":[{"type":"web_search"}],"tool_choice":"auto","parallel_tool_calls":true}""", NotesContext("gpt-4.1", dropped));

        Assert.Null(result["tools"]);
        Assert.Null(result["tool_choice"]);
        Assert.Null(result["parallel_tool_calls"]);
        Assert.Equal(["dropped: hosted tool web_search"], dropped);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"Hi","previous_response_id":"resp_1"}""", "previous_response_id: Inflight is stateless")]
    [InlineData("""{"model":"m","input":"Hi","conversation":"conv_1"}""", "conversation: Inflight is stateless")]
    [InlineData("""{"model":"m","input":"Hi","prompt":{"id":"pmpt_1"}}""", "prompt: stored prompt templates")]
    [InlineData("""{"model":"m","input":"Hi","background":true}""", "background:")]
    [InlineData("""{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}""", "input[0]: item_reference")]
    [InlineData("""{"model":"m","input":[{"type":"compaction","encrypted_content":"x"}]}""", "input[0].type: input item type 'compaction'")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"file_1"}]}]}""", "input[0].content[0]: only images given by image_url")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_url":"https://x/a.pdf"}]}]}""", "input[0].content[0]: only files given inline")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]}""", "input[0].content[0].type: content part type 'input_audio'")]
    [InlineData("""{"model":"m","input":"Hi","tools":[{"type":"file_search","vector_store_ids":["vs_1"]}]}""", "tools[0].type: tool type 'file_search'")]
    [InlineData("""{"model":"m","input":"Hi","tools":[{"type":"code_interpreter","container":{"type":"auto"}}]}""", "tools[0].type: tool type 'code_interpreter'")]
    [InlineData("""{"model":"m","input":"Hi","tools":[{"type":"local_shell"}]}""", "tools[0].type: tool type 'local_shell'")]
    [InlineData("""{"model":"m","input":"Hi","tools":[{"type":"web_search"}],"tool_choice":{"type":"web_search"}}""", "tool_choice: forcing the hosted tool 'web_search'")]
    [InlineData("""{"model":"m","input":"Hi","tools":[{"type":"web_search"}],"tool_choice":"required"}""", "tool_choice: 'required' needs a function tool")]
    [InlineData("""{"model":"m","input":"Hi","tools":[{"type":"function","name":"a"}],"tool_choice":{"type":"function","name":"b"}}""", "tool_choice.name: 'b' is not one of the declared tools")]
    [InlineData("""{"model":"m","input":"Hi","tools":[{"type":"function","name":"a"},{"type":"function","name":"a"}]}""", "tools: 'a' is declared twice")]
    [InlineData("""{"model":"m"}""", "input: field required")]
    public void Translate_RefusedInput_400NamesTheField(string body, string expected)
    {
        var ex = Refused(s_translate, body, "gpt-4.1");

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_UnknownAndDroppedFields_Recorded()
    {
        var dropped = new List<string>();

        Translate(s_translate, """{"model":"m","input":"Hi","top_logprobs":2,"max_tool_calls":3,"some_new_field":1,"previous_response_id":null}""", NotesContext("gpt-4.1", dropped));

        Assert.Equal(["dropped: top_logprobs", "dropped: max_tool_calls", "dropped: unknown field some_new_field"], dropped);
    }
}
