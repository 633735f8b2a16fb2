using System.Net;
using System.Net.Http.Headers;
using Inflight.Protocols;
using Microsoft.Extensions.Options;

namespace Inflight.Demo;

/// <summary>
/// The built-in <c>demo</c> provider: a simulated LLM behind an <see cref="HttpMessageHandler"/>, so the
/// gateway talks to it through an ordinary <see cref="HttpClient"/> exactly as to a real provider, with
/// no network. It answers <c>POST …/messages</c> (Anthropic), <c>POST …/chat/completions</c> (OpenAI),
/// <c>POST …/messages/count_tokens</c> and <c>GET …/models</c>, streaming or not, with realistic
/// timing, usage, tool calls and injected faults (see <see cref="DemoOptions"/>).
/// </summary>
/// <remarks>
/// Register once as a singleton and wrap it with <c>new HttpClient(handler, disposeHandler: false)</c>.
/// It is thread-safe and keeps no per-request state. Streamed bodies are produced lazily as the caller
/// reads them; disposing the response or cancelling a read stops the generation at once.
/// </remarks>
internal sealed class DemoUpstreamHandler : HttpMessageHandler
{
    private readonly DemoOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Random _random;
    private readonly Lock _randomLock = new();

    public DemoUpstreamHandler(IOptions<DemoOptions> options, TimeProvider timeProvider)
        : this(options.Value, timeProvider, new Random())
    {
    }

    /// <summary>For tests: fixed options and a seeded <paramref name="random"/> make replies reproducible.</summary>
    internal DemoUpstreamHandler(DemoOptions options, TimeProvider timeProvider, Random random)
    {
        _options = options;
        _timeProvider = timeProvider;
        _random = random;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await AnswerAsync(request, cancellationToken);
        response.RequestMessage = request;
        response.Headers.TryAddWithoutValidation(
            request.Headers.Contains("anthropic-version") ? "request-id" : "x-request-id",
            "req_demo_" + NextId());
        return response;
    }

    private async Task<HttpResponseMessage> AnswerAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        var guessedFormat = request.Headers.Contains("anthropic-version") ? ApiFormat.Anthropic : ApiFormat.OpenAI;

        if (request.Method == HttpMethod.Get && path.EndsWith("/models", StringComparison.Ordinal))
        {
            return Json(HttpStatusCode.OK, guessedFormat == ApiFormat.Anthropic ? DemoModels.AnthropicList() : DemoModels.OpenAIList());
        }

        if (request.Method != HttpMethod.Post)
        {
            return DemoUpstreamFaults.NotFound(guessedFormat, path);
        }

        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        if (path.EndsWith("/messages/count_tokens", StringComparison.Ordinal))
        {
            return Json(HttpStatusCode.OK, DemoModels.TokenCount(body.Length));
        }

        ApiFormat format;
        if (path.EndsWith("/messages", StringComparison.Ordinal))
        {
            format = ApiFormat.Anthropic;
        }
        else if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            format = ApiFormat.OpenAI;
        }
        else
        {
            return DemoUpstreamFaults.NotFound(guessedFormat, path);
        }

        var parsed = DemoRequest.TryParse(format, body, out var problem);
        if (parsed is null)
        {
            return DemoUpstreamFaults.BadRequest(format, problem!);
        }

        // One draw under the lock; everything else for this request comes from its own generator.
        double roll;
        int seed;
        lock (_randomLock)
        {
            roll = _random.NextDouble();
            seed = _random.Next();
        }

        var random = new Random(seed);
        var pacer = new DemoPacer(_timeProvider, _options.TimeScale, 1, seed);
        if (roll < _options.RateLimitRate)
        {
            // Rate limits are decided before any work: they come back fast.
            await pacer.WaitAsync(TimeSpan.FromMilliseconds(random.Next(20, 80)), cancellationToken);
            return DemoUpstreamFaults.RateLimited(format, parsed.Model, random);
        }

        if (roll < _options.RateLimitRate + _options.ErrorRate)
        {
            await pacer.WaitAsync(TimeSpan.FromMilliseconds(random.Next(100, 600)), cancellationToken);
            return DemoUpstreamFaults.ServerError(format, random);
        }

        var reply = DemoReplyPlanner.Plan(parsed, _options, random, _timeProvider);
        pacer = new DemoPacer(_timeProvider, _options.TimeScale, reply.TokensPerSecond, reply.PacingSeed);
        if (!parsed.Stream)
        {
            // A non-streaming answer arrives whole once the model has finished generating.
            await pacer.WaitAsync(pacer.TotalTime(reply.TimeToFirstToken, reply.OutputTokens), cancellationToken);
            return Json(HttpStatusCode.OK, format == ApiFormat.Anthropic ? AnthropicDemoResponder.Body(reply) : OpenAIDemoResponder.Body(reply));
        }

        var includeUsage = parsed.IncludeUsage;
        var content = format == ApiFormat.Anthropic
            ? new DemoStreamContent(ct => AnthropicDemoResponder.StreamAsync(reply, pacer, ct), "text/event-stream")
            : new DemoStreamContent(ct => OpenAIDemoResponder.StreamAsync(reply, includeUsage, pacer, ct), "text/event-stream");
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        response.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        return response;
    }

    private string NextId()
    {
        lock (_randomLock)
        {
            return DemoReplyPlanner.RandomId(_random, 24);
        }
    }

    private static HttpResponseMessage Json(HttpStatusCode status, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpResponseMessage(status) { Content = content };
    }
}
