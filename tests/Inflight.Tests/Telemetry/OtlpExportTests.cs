using System.Net;
using System.Text;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;
using Inflight.Tests.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace Inflight.Tests.Telemetry;

/// <summary>
/// The gateway with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, against an in-process OTLP/HTTP collector: each
/// request arrives as a CLIENT span <c>chat {model}</c> with the GenAI attributes, and the GenAI metrics arrive
/// too. Each test waits for what it expects (30 s at most); exports run every few hundred milliseconds.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class OtlpExportTests
{
    private const string Secret = "the-prompt-must-not-leave-9f2c";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StreamedChatCompletion_OtlpEndpointSet_CollectorReceivesClientSpanWithGenAiAttributes()
    {
        var model = UniqueModel("stream");
        await using var collector = await OtlpReceiver.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx,
        [
            $$$"""data: {"id":"chatcmpl-otlp1","object":"chat.completion.chunk","model":"{{{model}}}-2025","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}""" + "\n\n",
            $$$"""data: {"id":"chatcmpl-otlp1","object":"chat.completion.chunk","model":"{{{model}}}-2025","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n",
            $$$$"""data: {"id":"chatcmpl-otlp1","object":"chat.completion.chunk","model":"{{{{model}}}}-2025","choices":[],"usage":{"prompt_tokens":120,"completion_tokens":45,"prompt_tokens_details":{"cached_tokens":100},"completion_tokens_details":{"reasoning_tokens":30}}}""" + "\n\n",
            "data: [DONE]\n\n",
        ]));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", collector.ExporterSettings());

        var body = $$$"""{"model":"{{{model}}}","stream":true,"max_tokens":256,"temperature":0.5,"top_p":0.9,"messages":[{"role":"user","content":"{{{Secret}}}"}]}""";
        using var response = await app.Client.PostAsync("/v1/chat/completions", Json(body), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsStringAsync(Ct);

        var span = await collector.WaitForSpanAsync("chat " + model);

        Assert.Equal(ReceivedSpan.ClientKind, span.Kind);
        var a = span.Attributes;
        Assert.Equal("chat", a["gen_ai.operation.name"]);
        Assert.Equal("fake", a["gen_ai.provider.name"]);
        Assert.Equal(model, a["gen_ai.request.model"]);
        Assert.Equal(true, a["gen_ai.request.stream"]);
        Assert.Equal(256L, a["gen_ai.request.max_tokens"]);
        Assert.Equal(0.5, a["gen_ai.request.temperature"]);
        Assert.Equal(0.9, a["gen_ai.request.top_p"]);
        Assert.Equal("chatcmpl-otlp1", a["gen_ai.response.id"]);
        Assert.Equal(model + "-2025", a["gen_ai.response.model"]);
        Assert.Equal(new object[] { "stop" }, a["gen_ai.response.finish_reasons"]);
        Assert.Equal(120L, a["gen_ai.usage.input_tokens"]);
        Assert.Equal(45L, a["gen_ai.usage.output_tokens"]);
        Assert.Equal(100L, a["gen_ai.usage.cache_read.input_tokens"]);
        Assert.Equal(30L, a["gen_ai.usage.reasoning.output_tokens"]);
        Assert.Equal("127.0.0.1", a["server.address"]);
        Assert.Equal((long)upstream.BaseUrl.Port, a["server.port"]);
        Assert.IsType<double>(a["gen_ai.response.time_to_first_chunk"]);
        Assert.False(a.ContainsKey("error.type"));
        Assert.Equal(response.Headers.GetValues("x-inflight-request-id").Single(), a["inflight.request_id"]);

        // Prompt content never leaves: not in any attribute, not anywhere in what was exported.
        Assert.DoesNotContain(Secret, collector.RawTraces(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonStreamedAnthropicMessage_OtlpEndpointSet_SpanCarriesResponseIdStopReasonAndCacheTokens()
    {
        var model = UniqueModel("messages");
        await using var collector = await OtlpReceiver.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, $$$"""
            {"id":"msg_otlp2","type":"message","role":"assistant","model":"{{{model}}}","content":[{"type":"text","text":"Hello"}],
             "stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":10,"output_tokens":7,"cache_read_input_tokens":200,"cache_creation_input_tokens":50}}
            """));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic", collector.ExporterSettings());

        var body = $$$"""{"model":"{{{model}}}","max_tokens":1024,"top_k":40,"system":"{{{Secret}}}","messages":[{"role":"user","content":"{{{Secret}}}"}]}""";
        using var response = await app.Client.PostAsync("/v1/messages", Json(body), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var span = await collector.WaitForSpanAsync("chat " + model);

        Assert.Equal(ReceivedSpan.ClientKind, span.Kind);
        var a = span.Attributes;
        Assert.Equal(false, a["gen_ai.request.stream"]);
        Assert.Equal(1024L, a["gen_ai.request.max_tokens"]);
        Assert.Equal(40.0, a["gen_ai.request.top_k"]);
        Assert.Equal("msg_otlp2", a["gen_ai.response.id"]);
        Assert.Equal(new object[] { "end_turn" }, a["gen_ai.response.finish_reasons"]);
        Assert.Equal(260L, a["gen_ai.usage.input_tokens"]);
        Assert.Equal(7L, a["gen_ai.usage.output_tokens"]);
        Assert.Equal(200L, a["gen_ai.usage.cache_read.input_tokens"]);
        Assert.Equal(50L, a["gen_ai.usage.cache_creation.input_tokens"]);
        Assert.Equal(200L, a["http.response.status_code"]);
        Assert.False(a.ContainsKey("gen_ai.response.time_to_first_chunk"));
        Assert.DoesNotContain(Secret, collector.RawTraces(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamRateLimited_OtlpEndpointSet_SpanCarriesErrorTypeAndErrorStatus()
    {
        var model = UniqueModel("limited");
        await using var collector = await OtlpReceiver.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicRateLimit, 429));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic", collector.ExporterSettings());

        using var response = await app.Client.PostAsync("/v1/messages", Json($$$"""{"model":"{{{model}}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);

        var span = await collector.WaitForSpanAsync("chat " + model);

        Assert.Equal(ReceivedSpan.ClientKind, span.Kind);
        Assert.Equal(ReceivedSpan.ErrorStatus, span.StatusCode);
        Assert.Equal("rate_limit", span.Attributes["error.type"]);
        Assert.Equal(429L, span.Attributes["http.response.status_code"]);
        Assert.Equal(model, span.Attributes["gen_ai.response.model"]);
    }

    [Fact]
    public async Task RequestWithTraceparent_OtlpEndpointSet_SpanJoinsTheClientsTrace()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string parentSpanId = "00f067aa0ba902b7";
        var model = UniqueModel("traced");
        await using var collector = await OtlpReceiver.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, $$$"""
            {"id":"chatcmpl-3","object":"chat.completion","model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}
            """));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", collector.ExporterSettings());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json($$$"""{"model":"{{{model}}}","messages":[{"role":"user","content":"hi"}]}""") };
        request.Headers.Add("traceparent", $"00-{traceId}-{parentSpanId}-01");
        using var response = await app.Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var span = await collector.WaitForSpanAsync("chat " + model);

        Assert.Equal(traceId, span.TraceId);
        Assert.Equal(parentSpanId, span.ParentSpanId);
        Assert.Equal(new object[] { "length" }, span.Attributes["gen_ai.response.finish_reasons"]);

        // The upstream call continues the same trace from within the gateway's span, so a provider's own traces join too.
        var upstreamParent = upstream.Requests.Single().Headers["traceparent"];
        Assert.StartsWith($"00-{traceId}-", upstreamParent, StringComparison.Ordinal);
        Assert.DoesNotContain(parentSpanId, upstreamParent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_OtlpEndpointSet_CollectorReceivesGenAiMetricsWithTheirAttributes()
    {
        var model = UniqueModel("metrics");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var collector = await OtlpReceiver.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(
            ctx,
            [
                $$$"""data: {"id":"c1","object":"chat.completion.chunk","model":"{{{model}}}","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}""" + "\n\n",
                $$$"""data: {"id":"c1","object":"chat.completion.chunk","model":"{{{model}}}","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3}}""" + "\n\n",
                "data: [DONE]\n\n",
            ],
            // The request stays in flight until the collector has seen it as active.
            index => index == 1 ? release.Task.WaitAsync(TimeSpan.FromSeconds(60), ctx.RequestAborted) : Task.CompletedTask));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", collector.ExporterSettings());

        bool Ours(IReadOnlyDictionary<string, object?> a) => Equals(a.GetValueOrDefault("gen_ai.request.model"), model);

        var post = app.Client.PostAsync("/v1/chat/completions", Json($$$"""{"model":"{{{model}}}","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        var active = await collector.WaitForDataPointAsync("inflight.requests.active", Ours);
        release.SetResult();
        using (var ok = await post)
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            await ok.Content.ReadAsStringAsync(Ct);
        }

        var input = await collector.WaitForDataPointAsync("gen_ai.client.token.usage", a => Ours(a) && Equals(a.GetValueOrDefault("gen_ai.token.type"), "input"));
        await collector.WaitForDataPointAsync("gen_ai.client.token.usage", a => Ours(a) && Equals(a.GetValueOrDefault("gen_ai.token.type"), "output"));
        var duration = await collector.WaitForDataPointAsync("gen_ai.client.operation.duration", Ours);
        await collector.WaitForDataPointAsync("gen_ai.client.operation.time_to_first_chunk", Ours);

        Assert.Equal("fake", active.Attributes["gen_ai.provider.name"]);
        Assert.Contains(active.Attributes["inflight.request.phase"], new object[] { "waiting", "streaming" });
        Assert.Equal("{token}", input.Unit);
        Assert.Equal("s", duration.Unit);
        Assert.Equal("chat", duration.Attributes["gen_ai.operation.name"]);
        Assert.Equal("fake", duration.Attributes["gen_ai.provider.name"]);
        Assert.Equal(model, duration.Attributes["gen_ai.response.model"]);
        Assert.False(duration.Attributes.ContainsKey("error.type"));
    }

    [Fact]
    public async Task FailedRequest_OtlpEndpointSet_DurationMetricCarriesErrorType()
    {
        var model = UniqueModel("failed");
        await using var collector = await OtlpReceiver.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicRateLimit, 429));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic", collector.ExporterSettings());

        using var response = await app.Client.PostAsync("/v1/messages", Json($$$"""{"model":"{{{model}}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);

        var duration = await collector.WaitForDataPointAsync("gen_ai.client.operation.duration", a => Equals(a.GetValueOrDefault("gen_ai.request.model"), model));

        Assert.Equal("rate_limit", duration.Attributes["error.type"]);
    }

    [Fact]
    public async Task Request_OnlyTracesEndpointSet_SpansAreExportedThere()
    {
        var model = UniqueModel("signal");
        await using var collector = await OtlpReceiver.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, $$$"""
            {"id":"chatcmpl-4","object":"chat.completion","model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}
            """));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", new()
        {
            // A signal's own endpoint is used as it is: the path is part of it.
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = collector.BaseUrl + "v1/traces",
            ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });

        using var response = await app.Client.PostAsync("/v1/chat/completions", Json($$$"""{"model":"{{{model}}}","messages":[{"role":"user","content":"hi"}]}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var span = await collector.WaitForSpanAsync("chat " + model);

        Assert.Equal(ReceivedSpan.ClientKind, span.Kind);
        Assert.Equal("chatcmpl-4", span.Attributes["gen_ai.response.id"]);
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://127.0.0.1/v1/traces")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "udp")]
    public async Task Start_MalformedOtlpSetting_FailsNamingIt(string key, string value)
    {
        await using var factory = MetricsHost.Create((key, value));

        var error = Assert.Throws<OptionsValidationException>(() => factory.Server);

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_NoOtlpEndpoint_HasNoTracerSoSpansCostNothing()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        Assert.Null(app.Services.GetService<TracerProvider>());
    }

    private static string UniqueModel(string purpose) => "otlp-" + purpose + "-" + Guid.NewGuid().ToString("N")[..8];

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
