using System.Text;

namespace Inflight.Load;

/// <summary>Where a case sends its requests: straight to the fake upstream, through Inflight, or through a peer gateway.</summary>
internal sealed class Target(string name, Uri baseUrl, IReadOnlyDictionary<string, string> headers, Func<string, bool, string> modelFor)
{
    public const string Direct = "direct";
    public const string Inflight = "inflight";
    public const string Portkey = "portkey";

    public string Name { get; } = name;

    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>Process whose CPU and memory the case reports (null for direct).</summary>
    public ChildProcess? Process { get; init; }

    public Uri Url(bool anthropic) => new(BaseUrl, anthropic ? "v1/messages" : "v1/chat/completions");

    /// <summary>A tiny request body in the client's format; <paramref name="model"/> is the upstream model name.</summary>
    public byte[] Body(bool anthropic, bool stream, string model)
    {
        var routed = modelFor(model, anthropic);
        var json = anthropic
            ? $$"""{"model":"{{routed}}","max_tokens":16,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Hello"}]}"""
            : $$"""{"model":"{{routed}}","max_tokens":16,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Hello"}]}""";
        return Encoding.UTF8.GetBytes(json);
    }

    public HttpRequestMessage Request(bool anthropic, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url(anthropic))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new("application/json");
        if (anthropic)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", "bench");
            request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        }
        else
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer bench");
        }

        foreach (var (key, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(key, value);
        }

        return request;
    }
}
