using System.Text.Json.Nodes;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>Expected Responses objects and checks every Responses stream must pass.</summary>
internal static class ResponsesTestSupport
{
    /// <summary>The <c>response</c> object Inflight writes, with the parts a test varies.</summary>
    public static string Response(
        string id, string model, string status, string output = "[]", string usage = "null", string incompleteDetails = "null", string error = "null")
        => $$$"""
            {"id":"{{{id}}}","object":"response","created_at":{{{Now}}},"status":"{{{status}}}","background":false,"error":{{{error}}},
             "incomplete_details":{{{incompleteDetails}}},"instructions":null,"max_output_tokens":null,"model":"{{{model}}}","output":{{{output}}},
             "parallel_tool_calls":true,"previous_response_id":null,"store":false,"temperature":null,"tool_choice":"auto","tools":[],
             "top_p":null,"truncation":"disabled","usage":{{{usage}}},"metadata":{}}
            """;

    public static string Usage(long input, long cached, long cacheWrite, long output, long reasoning)
        => $$$"""
            {"input_tokens":{{{input}}},"input_tokens_details":{"cached_tokens":{{{cached}}},"cache_write_tokens":{{{cacheWrite}}}},
             "output_tokens":{{{output}}},"output_tokens_details":{"reasoning_tokens":{{{reasoning}}}},"total_tokens":{{{input + output}}}}
            """;

    /// <summary>
    /// Every event has an <c>event:</c> line equal to its data's <c>type</c> and a <c>sequence_number</c>
    /// counting from 0 (SSE comments aside); returns the data objects in order.
    /// </summary>
    public static List<JsonObject> AssertWellFormed(string sse)
    {
        var objects = new List<JsonObject>();
        foreach (var (name, data) in Events(sse))
        {
            if (name == "comment")
            {
                continue;
            }

            var obj = Assert.IsType<JsonObject>(JsonNode.Parse(data));
            Assert.Equal(name, obj["type"]?.GetValue<string>());
            Assert.Equal(objects.Count, obj["sequence_number"]?.GetValue<long>());
            objects.Add(obj);
        }

        return objects;
    }

    /// <summary>The event types in order.</summary>
    public static List<string> Types(string sse) => [.. AssertWellFormed(sse).Select(e => e["type"]!.GetValue<string>())];

    /// <summary>The final <c>response</c> object (from the last event).</summary>
    public static JsonObject FinalResponse(string sse) => AssertWellFormed(sse)[^1]["response"]!.AsObject();
}
