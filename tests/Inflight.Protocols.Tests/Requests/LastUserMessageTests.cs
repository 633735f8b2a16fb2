using Inflight.Protocols.Requests;

namespace Inflight.Protocols.Tests.Requests;

public sealed class LastUserMessageTests
{
    [Theory]
    [InlineData(ApiFormat.Anthropic, """{"messages":[{"role":"user","content":"old"},{"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"text","text":"new"},{"type":"image","source":{}},{"type":"text","text":"question"}]}]}""", "new\nquestion")]
    [InlineData(ApiFormat.OpenAI, """{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello there"}]}""", "hello there")]
    [InlineData(ApiFormat.Responses, """{"input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"list files"}]},{"type":"function_call_output","call_id":"c","output":"x"}]}""", "list files")]
    [InlineData(ApiFormat.Responses, """{"input":"just a string"}""", "just a string")]
    public void Read_EachFormat_FindsTheLastUserMessagesText(ApiFormat format, string body, string expected)
    {
        Assert.Equal(expected, LastUserMessage.Read(format, System.Text.Encoding.UTF8.GetBytes(body), 1024));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"messages":[{"role":"assistant","content":"only me"}]}""")]
    [InlineData("[]")]
    public void Read_NoUserMessageOrNotJson_IsNull(string body)
    {
        Assert.Null(LastUserMessage.Read(ApiFormat.Anthropic, System.Text.Encoding.UTF8.GetBytes(body), 1024));
    }

    [Fact]
    public void Read_LongMessage_CutToMaxBytesWithoutSplittingACharacter()
    {
        var text = new string('a', 1023) + "é and more";
        var body = $$"""{"messages":[{"role":"user","content":"{{text}}"}]}""";

        var read = LastUserMessage.Read(ApiFormat.OpenAI, System.Text.Encoding.UTF8.GetBytes(body), 1024);

        Assert.Equal(new string('a', 1023), read);
    }
}
