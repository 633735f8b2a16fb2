using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Threading.Channels;

namespace Inflight.Tests.Metrics;

/// <summary>
/// An open <c>text/event-stream</c> response parsed by <see cref="SseParser"/> on a background task; events
/// queue up so a test can await the next one (or the next matching one) with a timeout.
/// </summary>
internal sealed class SseTestStream : IAsyncDisposable
{
    private readonly Channel<SseItem<string>> _events = Channel.CreateUnbounded<SseItem<string>>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private SseTestStream(HttpResponseMessage response, Stream body)
    {
        Response = response;
        Parser = SseParser.Create(body);
        _reader = ReadAsync();
    }

    public HttpResponseMessage Response { get; }

    /// <summary>Every event received so far, in order, whether or not a test has consumed it.</summary>
    public ConcurrentQueue<SseItem<string>> Received { get; } = new();

    public SseParser<string> Parser { get; }

    /// <summary>Completes when the server ends the stream.</summary>
    public Task Completion => _events.Reader.Completion;

    public static async Task<SseTestStream> OpenAsync(HttpClient client, string? lastEventId = null, string path = MetricsTestHost.StreamPath)
    {
        var ct = TestContext.Current.CancellationToken;
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).WaitAsync(MetricsTestHost.Timeout, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync(ct);
        return new SseTestStream(response, body);
    }

    public async Task<SseItem<string>> NextAsync()
        => await _events.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(MetricsTestHost.Timeout, TestContext.Current.CancellationToken);

    public async Task<SseItem<string>> WaitForAsync(Func<SseItem<string>, bool> predicate)
    {
        while (true)
        {
            var item = await NextAsync();
            if (predicate(item))
            {
                return item;
            }
        }
    }

    /// <summary>Every event until the server closes the stream.</summary>
    public async Task<List<SseItem<string>>> ReadToEndAsync()
    {
        var items = new List<SseItem<string>>();
        await foreach (var item in _events.Reader.ReadAllAsync(TestContext.Current.CancellationToken).WithCancellation(TestContext.Current.CancellationToken))
        {
            items.Add(item);
        }

        return items;
    }

    public static IReadOnlyList<string> RequestIds(SseItem<string> item)
    {
        using var json = JsonDocument.Parse(item.Data);
        return [.. json.RootElement.GetProperty("active_requests").EnumerateArray().Select(r => r.GetProperty("request_id").GetString()!)];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Response.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception)
        {
            // The body was torn down under the parser on purpose.
        }

        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var item in Parser.EnumerateAsync(_stop.Token))
            {
                Received.Enqueue(item);
                await _events.Writer.WriteAsync(item, _stop.Token);
            }

            _events.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _events.Writer.TryComplete(ex);
        }
    }
}
