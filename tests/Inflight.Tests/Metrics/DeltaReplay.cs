using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;

namespace Inflight.Tests.Metrics;

/// <summary>What a dashboard does with the delta stream's events: the state they build, request by request.</summary>
internal static class DeltaReplay
{
    public static void Apply(Dictionary<string, JsonObject> state, SseItem<string> item)
    {
        var data = JsonNode.Parse(item.Data)!.AsObject();
        var id = (string)data["request_id"]!;
        switch (item.EventType)
        {
            case "request-start":
                state.Add(id, data);
                break;
            case "request-update":
                foreach (var (name, value) in data)
                {
                    state[id][name] = value?.DeepClone();
                }

                break;
            case "request-end":
                Assert.True(state.Remove(id));
                break;
            default:
                Assert.Fail("unexpected event " + item.EventType);
                break;
        }
    }
}
