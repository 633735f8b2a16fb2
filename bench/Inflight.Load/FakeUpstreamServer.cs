using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inflight.Load;

/// <summary>
/// The zero-delay fake provider: answers <c>/v1/chat/completions</c> and <c>/v1/messages</c> with
/// tiny JSON or a 20-event stream shaped like the real APIs, from pre-encoded bytes. The model name
/// selects the behaviour: <c>*paced*</c> spaces stream events 1 ms apart (so buffering would show),
/// <c>*hold*</c> / <c>probe-*</c> send the first event and hold the stream until released. The soak's faults:
/// <c>*fault-500*</c> and <c>*fault-429*</c> answer with that error, <c>*fault-break*</c> drops the connection
/// half-way through a stream, <c>*fault-hang*</c> never answers (until the caller gives up).
/// </summary>
internal static class FakeUpstreamServer
{
    public const int StreamEvents = 20;

    private static readonly byte[] s_openAIJson = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-bench","object":"chat.completion","created":1741569952,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help?","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}""");

    private static readonly byte[] s_anthropicJson = Encoding.UTF8.GetBytes(
        """{"id":"msg_bench","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hello! How can I help?"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":9}}""");

    private static readonly byte[][] s_openAIStream = BuildOpenAIStream();
    private static readonly byte[][] s_anthropicStream = BuildAnthropicStream();

    /// <summary>Held streams wait on this; <c>POST /release</c> swaps it (releasing all), <c>/release?model=</c> one model.</summary>
    private static TaskCompletionSource s_releaseAll = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> s_releaseOne = new(StringComparer.Ordinal);
    private static readonly TimeSpan s_maxHold = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(string[] args)
    {
        var port = args.Length > 1 && args[0] == "--port" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxConcurrentConnections = null;
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", context => AnswerAsync(context, anthropic: false));
        app.MapPost("/v1/messages", context => AnswerAsync(context, anthropic: true));
        app.MapPost("/release", Release);
        app.MapGet("/health", () => "ok");
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // The driver reads this line to learn the port.
        Console.WriteLine("LISTENING " + address);

        // Ends when the driver closes our stdin (or dies): never outlives the run.
        await Task.Run(() => Console.In.ReadToEnd());
        await app.StopAsync();
        return 0;
    }

    private static IResult Release(string? model)
    {
        if (model is null)
        {
            Interlocked.Exchange(ref s_releaseAll, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        else
        {
            s_releaseOne.GetOrAdd(model, static _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        return Results.Ok();
    }

    private static async Task AnswerAsync(HttpContext context, bool anthropic)
    {
        var (model, stream) = await ReadRequestAsync(context.Request.BodyReader, context.RequestAborted);
        var response = context.Response;
        if (model.Contains("fault-", StringComparison.Ordinal) && await AnswerFaultAsync(context, model, anthropic))
        {
            return;
        }
        if (!stream)
        {
            var json = anthropic ? s_anthropicJson : s_openAIJson;
            response.ContentType = "application/json";
            response.ContentLength = json.Length;
            await response.Body.WriteAsync(json, context.RequestAborted);
            return;
        }

        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var events = anthropic ? s_anthropicStream : s_openAIStream;
        var paced = model.Contains("paced", StringComparison.Ordinal);
        var breakAt = model.Contains("fault-break", StringComparison.Ordinal) ? events.Length / 2 : -1;
        var hold = model.Contains("hold", StringComparison.Ordinal) || model.StartsWith("probe-", StringComparison.Ordinal);
        try
        {
            for (var i = 0; i < events.Length; i++)
            {
                if (i == breakAt)
                {
                    context.Abort();
                    return;
                }

                await response.Body.WriteAsync(events[i], context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
                if (hold && i == 0)
                {
                    await WaitForReleaseAsync(model, context.RequestAborted);
                }
                else if (paced)
                {
                    await Task.Delay(1, context.RequestAborted);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The caller left; nothing to finish.
        }
    }

    /// <summary>The error faults, and the hang; false for faults that happen mid-stream.</summary>
    private static async Task<bool> AnswerFaultAsync(HttpContext context, string model, bool anthropic)
    {
        var response = context.Response;
        if (model.Contains("fault-hang", StringComparison.Ordinal))
        {
            try
            {
                await Task.Delay(s_maxHold, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }

            return true;
        }

        var status = model.Contains("fault-500", StringComparison.Ordinal) ? 500 : model.Contains("fault-429", StringComparison.Ordinal) ? 429 : 0;
        if (status == 0)
        {
            return false;
        }

        var type = status == 429 ? "rate_limit_error" : anthropic ? "api_error" : "server_error";
        var json = anthropic
            ? $$$"""{"type":"error","error":{"type":"{{{type}}}","message":"Injected fault {{{status}}}"}}"""
            : $$$"""{"error":{"message":"Injected fault {{{status}}}","type":"{{{type}}}","param":null,"code":null}}""";
        response.StatusCode = status;
        response.ContentType = "application/json";
        if (status == 429)
        {
            response.Headers.RetryAfter = "1";
        }

        await response.WriteAsync(json, context.RequestAborted);
        return true;
    }

    private static async Task WaitForReleaseAsync(string model, CancellationToken aborted)
    {
        var all = Volatile.Read(ref s_releaseAll).Task;
        Task one = model.StartsWith("probe-", StringComparison.Ordinal)
            ? s_releaseOne.GetOrAdd(model, static _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task
            : Task.Delay(Timeout.Infinite, aborted);
        try
        {
            await Task.WhenAny(all, one).WaitAsync(s_maxHold, aborted);
        }
        catch (TimeoutException)
        {
            // Bounded: a forgotten hold ends by itself.
        }
        finally
        {
            if (model.StartsWith("probe-", StringComparison.Ordinal))
            {
                s_releaseOne.TryRemove(model, out _);
            }
        }
    }

    /// <summary>Reads the whole body and pulls out the top-level model and stream flag.</summary>
    private static async Task<(string Model, bool Stream)> ReadRequestAsync(System.IO.Pipelines.PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.IsCompleted)
            {
                var parsed = Parse(result.Buffer);
                reader.AdvanceTo(result.Buffer.End);
                return parsed;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static (string Model, bool Stream) Parse(ReadOnlySequence<byte> body)
    {
        var json = new Utf8JsonReader(body);
        string model = "";
        var stream = false;
        if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
        {
            return (model, stream);
        }

        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            if (json.ValueTextEquals("model"u8))
            {
                json.Read();
                model = json.GetString() ?? "";
            }
            else if (json.ValueTextEquals("stream"u8))
            {
                json.Read();
                stream = json.TokenType == JsonTokenType.True;
            }
            else
            {
                json.Read();
                json.Skip();
            }
        }

        return (model, stream);
    }

    private static byte[][] BuildOpenAIStream()
    {
        const string Head = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[";
        var events = new List<string> { Head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n" };
        while (events.Count < StreamEvents - 3)
        {
            events.Add(Head + "{\"index\":0,\"delta\":{\"content\":\" word" + events.Count + "\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }

        events.Add(Head + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        events.Add(Head + "],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":17,\"total_tokens\":36}}\n\n");
        events.Add("data: [DONE]\n\n");
        return [.. events.Select(Encoding.UTF8.GetBytes)];
    }

    private static byte[][] BuildAnthropicStream()
    {
        var events = new List<string>
        {
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        };
        while (events.Count < StreamEvents - 3)
        {
            events.Add("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" word" + events.Count + "\"}}\n\n");
        }

        events.Add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        events.Add("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":17}}\n\n");
        events.Add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        return [.. events.Select(Encoding.UTF8.GetBytes)];
    }
}
