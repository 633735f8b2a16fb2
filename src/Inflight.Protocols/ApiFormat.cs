namespace Inflight.Protocols;

/// <summary>The wire formats Inflight speaks, on either side of the gateway.</summary>
public enum ApiFormat
{
    /// <summary>Anthropic Messages API (<c>POST /v1/messages</c>).</summary>
    Anthropic,

    /// <summary>OpenAI Chat Completions API (<c>POST /v1/chat/completions</c>).</summary>
    OpenAI,

    /// <summary>OpenAI Responses API (<c>POST /v1/responses</c>); errors use OpenAI's error shape.</summary>
    Responses,
}

public static class ApiFormatNames
{
    public const string Anthropic = "anthropic";
    public const string OpenAI = "openai";
    public const string Responses = "responses";

    public static string ToWireName(this ApiFormat format) => format switch
    {
        ApiFormat.Anthropic => Anthropic,
        ApiFormat.Responses => Responses,
        _ => OpenAI,
    };

    public static bool TryParse(string? value, out ApiFormat format)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case Anthropic:
                format = ApiFormat.Anthropic;
                return true;
            case OpenAI:
                format = ApiFormat.OpenAI;
                return true;
            case Responses:
                format = ApiFormat.Responses;
                return true;
            default:
                format = default;
                return false;
        }
    }
}
