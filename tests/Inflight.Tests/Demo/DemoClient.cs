using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using Inflight.Demo;

namespace Inflight.Tests.Demo;

/// <summary>Talks to a <see cref="DemoUpstreamHandler"/> the way the gateway does, at the demo provider's base URL.</summary>
internal static class DemoClient
{
    public static Uri BaseUrl { get; } = new("http://demo.inflight.invalid/v1/");

    /// <summary>No faults, no tool calls, no breaks and no waiting: tests switch on what they check.</summary>
    public static DemoOptions Quiet() => new()
    {
        ErrorRate = 0,
        RateLimitRate = 0,
        ToolRate = 0,
        StreamBreakRate = 0,
        TimeScale = 0,
    };

    public static HttpClient Create(DemoOptions options, TimeProvider? timeProvider = null, int seed = 42)
        => new(new DemoUpstreamHandler(options, timeProvider ?? TimeProvider.System, new Random(seed))) { BaseAddress = BaseUrl };

    public static HttpRequestMessage Anthropic(string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "messages") { Content = Json(json) };
        request.Headers.Add("x-api-key", "demo");
        request.Headers.Add("anthropic-version", "2023-06-01");
        return request;
    }

    public static HttpRequestMessage OpenAI(string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = Json(json) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "demo");
        return request;
    }

    public static async Task<List<SseItem<string>>> ReadEventsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var events = new List<SseItem<string>>();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            events.Add(item);
        }

        return events;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
