using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class ErrorTranslatorTests
{
    [Theory]
    [InlineData(400, "invalid_request_error", "invalid_value", 400, "invalid_request_error")]
    [InlineData(401, "invalid_request_error", "invalid_api_key", 401, "authentication_error")]
    [InlineData(403, "invalid_request_error", "unsupported_country_region_territory", 403, "permission_error")]
    [InlineData(404, "invalid_request_error", "model_not_found", 404, "not_found_error")]
    [InlineData(429, "requests", "rate_limit_exceeded", 429, "rate_limit_error")]
    [InlineData(429, "insufficient_quota", "insufficient_quota", 429, "rate_limit_error")]
    [InlineData(500, "server_error", null, 500, "api_error")]
    [InlineData(502, "server_error", null, 502, "api_error")]
    [InlineData(503, "server_error", null, 503, "overloaded_error")]
    public void OpenAIToAnthropic_ByStatus_GivesAnthropicTypeAndKeepsMessage(int status, string type, string? code, int expectedStatus, string expectedType)
    {
        var body = $$$"""{"error":{"message":"Something went wrong.","type":"{{{type}}}","param":null,"code":{{{(code is null ? "null" : $"\"{code}\"")}}}}}""";

        var result = ErrorTranslator.OpenAIToAnthropic(status, Utf8(body));

        Assert.Equal(expectedStatus, result.Status);
        JsonEqual($$$"""{"type":"error","error":{"type":"{{{expectedType}}}","message":"Something went wrong."}}""", result.Body);
    }

    [Theory]
    [InlineData(400, "invalid_request_error", 400, "invalid_request_error", null)]
    [InlineData(401, "authentication_error", 401, "authentication_error", "invalid_api_key")]
    [InlineData(403, "permission_error", 403, "permission_error", null)]
    [InlineData(404, "not_found_error", 404, "invalid_request_error", "model_not_found")]
    [InlineData(413, "request_too_large", 413, "invalid_request_error", "request_too_large")]
    [InlineData(429, "rate_limit_error", 429, "rate_limit_error", "rate_limit_exceeded")]
    [InlineData(500, "api_error", 500, "server_error", null)]
    [InlineData(529, "overloaded_error", 503, "server_error", "overloaded")]
    public void AnthropicToOpenAI_ByStatus_GivesOpenAIShape(int status, string type, int expectedStatus, string expectedType, string? expectedCode)
    {
        var body = $$$"""{"type":"error","error":{"type":"{{{type}}}","message":"Details here."},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}""";

        var result = ErrorTranslator.AnthropicToOpenAI(status, Utf8(body));

        Assert.Equal(expectedStatus, result.Status);
        var code = expectedCode is null ? "null" : $"\"{expectedCode}\"";
        JsonEqual($$$"""{"error":{"message":"Details here.","type":"{{{expectedType}}}","param":null,"code":{{{code}}}}}""", result.Body);
    }

    [Fact]
    public void OpenAIToAnthropic_NonJsonBody_UsesTheTextAsMessage()
    {
        var result = ErrorTranslator.OpenAIToAnthropic(502, Utf8("<html>Bad Gateway</html>"));

        Assert.Equal(502, result.Status);
        JsonEqual("""{"type":"error","error":{"type":"api_error","message":"<html>Bad Gateway</html>"}}""", result.Body);
    }

    [Fact]
    public void OpenAIToAnthropic_EmptyBody_SaysWhichStatusCameBack()
    {
        var result = ErrorTranslator.OpenAIToAnthropic(500, []);

        JsonEqual("""{"type":"error","error":{"type":"api_error","message":"Upstream provider returned HTTP 500."}}""", result.Body);
    }

    [Fact]
    public void AnthropicToOpenAI_MidStreamWithoutStatus_TakesStatusFromType()
    {
        var result = ErrorTranslator.AnthropicToOpenAI(0, Utf8("""{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"""));

        Assert.Equal(429, result.Status);
    }

    [Fact]
    public void OpenAIToAnthropic_ContextLengthExceeded_UsesAnthropicsPromptTooLongWording()
    {
        var body = """{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""";

        var result = ErrorTranslator.OpenAIToAnthropic(400, Utf8(body));

        JsonEqual("""{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens."}}""", result.Body);
    }

    [Fact]
    public void AnthropicToOpenAI_PromptTooLong_GetsContextLengthExceededCode()
    {
        var body = """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}""";

        var result = ErrorTranslator.AnthropicToOpenAI(400, Utf8(body));

        JsonEqual("""{"error":{"message":"prompt is too long: 210000 tokens > 200000 maximum","type":"invalid_request_error","param":null,"code":"context_length_exceeded"}}""", result.Body);
    }

    [Theory]
    [InlineData(400, "invalid_request_error", "context_length_exceeded", "context_length_exceeded")]
    [InlineData(429, "insufficient_quota", "insufficient_quota", "insufficient_quota")]
    [InlineData(429, "requests", "rate_limit_exceeded", "rate_limit_exceeded")]
    [InlineData(429, "tokens", null, "rate_limit_exceeded")]
    [InlineData(503, "server_error", null, "server_is_overloaded")]
    [InlineData(500, "server_error", "overloaded", "server_is_overloaded")]
    [InlineData(500, "server_error", null, "server_error")]
    [InlineData(401, "invalid_request_error", "invalid_api_key", "invalid_api_key")]
    public void OpenAIToResponsesFailure_GivesTheCodeResponsesClientsActOn(int status, string type, string? code, string expectedCode)
    {
        var body = $$$"""{"error":{"message":"Something went wrong.","type":"{{{type}}}","param":null,"code":{{{(code is null ? "null" : $"\"{code}\"")}}}}}""";

        var failure = ErrorTranslator.OpenAIToResponsesFailure(status, Utf8(body));

        Assert.Equal(new ResponsesFailure(expectedCode, "Something went wrong."), failure);
    }

    [Theory]
    [InlineData(0, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum", "context_length_exceeded")]
    [InlineData(529, "overloaded_error", "Overloaded", "server_is_overloaded")]
    [InlineData(0, "overloaded_error", "Overloaded", "server_is_overloaded")]
    [InlineData(429, "rate_limit_error", "Slow down", "rate_limit_exceeded")]
    [InlineData(0, "api_error", "Internal error", "server_error")]
    public void AnthropicToResponsesFailure_GivesTheCodeResponsesClientsActOn(int status, string type, string message, string expectedCode)
    {
        var body = $$$"""{"type":"error","error":{"type":"{{{type}}}","message":"{{{message}}}"}}""";

        var failure = ErrorTranslator.AnthropicToResponsesFailure(status, Utf8(body));

        Assert.Equal(new ResponsesFailure(expectedCode, message), failure);
    }

    [Fact]
    public void OpenAIToResponsesFailure_BodyThatIsNotJson_KeepsTheTextAsMessage()
    {
        var failure = ErrorTranslator.OpenAIToResponsesFailure(502, Utf8("upstream connect error"));

        Assert.Equal(new ResponsesFailure("server_error", "upstream connect error"), failure);
    }
}
