using System.Text.Json.Nodes;
using Inflight.Testing;
using Microsoft.AspNetCore.Http;

namespace Inflight.Tests.Cluster;

/// <summary>
/// An OpenAI-format fake upstream. Non-streaming requests are answered at once with fixed usage; streaming
/// requests send a token every 50 ms until <see cref="Release"/> is called (or the gateway hangs up, or a
/// minute passes), so a test can hold a request in flight on one replica for as long as it needs.
/// </summary>
internal sealed class SlowUpstream : IAsyncDisposable
{
    public const int PromptTokens = 19;
    public const int CompletionTokens = 7;

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FakeUpstream _upstream = null!;
    private int _aborted;

    public Uri BaseUrl => _upstream.BaseUrl;

    /// <summary>Streams the gateway abandoned before they were released (a cancel reaches the upstream as this).</summary>
    public int AbortedStreams => Volatile.Read(ref _aborted);

    public static async Task<SlowUpstream> StartAsync()
    {
        var upstream = new SlowUpstream();
        upstream._upstream = await FakeUpstream.StartAsync(upstream.HandleAsync);
        return upstream;
    }

    public void Release() => _release.TrySetResult();

    public ValueTask DisposeAsync()
    {
        Release();
        return _upstream.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var stream = JsonNode.Parse(request.Body)?["stream"]?.GetValue<bool>() == true;
        if (!stream)
        {
            await FakeResponses.WriteJsonAsync(context, $$$"""{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, friend."},"finish_reason":"stop"}],"usage":{"prompt_tokens":{{{PromptTokens}}},"completion_tokens":{{{CompletionTokens}}},"total_tokens":{{{PromptTokens + CompletionTokens}}}}}""");
            return;
        }

        context.Response.ContentType = "text/event-stream";
        try
        {
            await WriteAsync(context, """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""");
            for (var i = 0; i < 1200 && !_release.Task.IsCompleted; i++)
            {
                await WriteAsync(context, """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}""");
                await Task.WhenAny(_release.Task, Task.Delay(50, request.Aborted));
            }

            await WriteAsync(context, """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""");
            await WriteAsync(context, $$$"""{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":{{{PromptTokens}}},"completion_tokens":{{{CompletionTokens}}},"total_tokens":{{{PromptTokens + CompletionTokens}}}}}""");
            await context.Response.WriteAsync("data: [DONE]\n\n", request.Aborted);
        }
        catch (Exception) when (request.Aborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _aborted);
        }
    }

    private static async Task WriteAsync(HttpContext context, string json)
    {
        await context.Response.WriteAsync("data: " + json + "\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
