using System.Text;
using Inflight.Protocols.Accounting;

namespace Inflight.Protocols.Tests.Accounting;

/// <summary>The answer's visible text reaches a listener that asks for it (content peek), in every stream format.</summary>
public sealed class OutputTextCaptureTests
{
    [Theory]
    [InlineData(ApiFormat.Anthropic, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"secret plan\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi \\\"there\\\"\\n\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\"\"}}\n\n")]
    [InlineData(ApiFormat.OpenAI, "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"secret plan\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi \\\"there\\\"\\n\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}\n\ndata: [DONE]\n\n")]
    [InlineData(ApiFormat.Responses, "event: response.reasoning_summary_text.delta\ndata: {\"type\":\"response.reasoning_summary_text.delta\",\"delta\":\"secret plan\"}\n\nevent: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi \\\"there\\\"\\n\"}\n\nevent: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\",\"delta\":\"{}\"}\n\n")]
    public void Feed_ListenerWantsText_GetsOnlyTheVisibleTextUnescaped(ApiFormat format, string stream)
    {
        var listener = new TextListener(wants: true);
        using var accountant = StreamAccountant.Create(format, listener);

        accountant.Feed(Encoding.UTF8.GetBytes(stream));

        Assert.Equal("Hi \"there\"\n", listener.Text.ToString());
    }

    [Fact]
    public void Feed_ListenerDoesNotWantText_GetsNone()
    {
        var listener = new TextListener(wants: false);
        using var accountant = StreamAccountant.Create(ApiFormat.OpenAI, listener);

        accountant.Feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n"u8);

        Assert.Equal(0, listener.Text.Length);
        Assert.True(listener.Estimated > 0);
    }

    private sealed class TextListener(bool wants) : IUsageListener
    {
        public StringBuilder Text { get; } = new();

        public int Estimated { get; private set; }

        public bool WantsOutputText => wants;

        public void OnOutputText(ReadOnlySpan<byte> utf8) => Text.Append(Encoding.UTF8.GetString(utf8));

        public void OnOutputTokensEstimated(int tokens) => Estimated += tokens;

        public void OnUsage(UsageReport usage)
        {
        }

        public void OnToolCall()
        {
        }
    }
}
