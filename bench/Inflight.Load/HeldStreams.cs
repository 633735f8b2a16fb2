namespace Inflight.Load;

/// <summary>
/// Streaming requests held open by the fake upstream after their first event (models <c>*hold*</c>
/// and <c>probe-*</c>). Opened with bounded parallelism so the listen backlog never overflows;
/// disposing releases the upstream's holds and drains every response.
/// </summary>
internal sealed class HeldStreams : IAsyncDisposable
{
    private const int Parallelism = 64;

    private readonly List<(HttpResponseMessage Response, Stream Body)> _streams = [];
    private readonly HttpClient _client;
    private readonly Uri _upstreamUrl;
    private readonly string _model;

    private HeldStreams(HttpClient client, Uri upstreamUrl, string model)
    {
        _client = client;
        _upstreamUrl = upstreamUrl;
        _model = model;
    }

    public int Count => _streams.Count;

    public static async Task<HeldStreams> OpenAsync(HttpClient client, Target target, string model, int count, TimeSpan cap, Uri upstreamUrl)
    {
        var held = new HeldStreams(client, upstreamUrl, model);
        var body = target.Body(anthropic: false, stream: true, model);
        using var timeout = new CancellationTokenSource(cap);
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = CancellationToken.None }, async (_, _) =>
        {
            if (timeout.IsCancellationRequested)
            {
                return;
            }

            try
            {
                using var request = target.Request(anthropic: false, body);
                var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
                var first = new byte[4096];
                if (!response.IsSuccessStatusCode || await stream.ReadAsync(first, timeout.Token) == 0)
                {
                    response.Dispose();
                    return;
                }

                lock (held._streams)
                {
                    held._streams.Add((response, stream));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
            {
                // Counted by what was held.
            }
        });
        return held;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_model.StartsWith("probe-", StringComparison.Ordinal))
        {
            try
            {
                using var release = await _client.PostAsync(new Uri(_upstreamUrl, "release"), null);
            }
            catch (HttpRequestException)
            {
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Parallel.ForEachAsync(_streams, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (held, _) =>
        {
            try
            {
                await held.Body.CopyToAsync(Stream.Null, timeout.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
            {
            }
            finally
            {
                await held.Body.DisposeAsync();
                held.Response.Dispose();
            }
        });
        _streams.Clear();
    }
}
