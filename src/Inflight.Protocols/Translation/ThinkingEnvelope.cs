using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Carries an Anthropic thinking block through a Responses client as a <c>reasoning</c> item's
/// <c>encrypted_content</c>, so thinking survives a tool loop (Anthropic rejects a tool continuation
/// whose thinking block is missing or altered). The client treats the value as opaque and sends it back
/// unchanged; Inflight unwraps it into the original block. Format: <c>inflight-thinking.v1:</c> followed
/// by base64 (standard alphabet) of the UTF-8 JSON <c>{"thinking":"…","signature":"…"}</c> for a
/// <c>thinking</c> block, or <c>{"redacted":"…"}</c> for a <c>redacted_thinking</c> block.
/// </summary>
public static class ThinkingEnvelope
{
    public const string Prefix = "inflight-thinking.v1:";

    /// <summary>A thinking block (its text and signature) as an <c>encrypted_content</c> value.</summary>
    public static string EncodeThinking(string thinking, string signature)
        => Encode(writer =>
        {
            writer.WriteString("thinking", thinking);
            writer.WriteString("signature", signature);
        });

    /// <summary>A redacted_thinking block's data as an <c>encrypted_content</c> value.</summary>
    public static string EncodeRedacted(string data) => Encode(writer => writer.WriteString("redacted", data));

    /// <summary>
    /// Reads a value made by this class. False for anything else (for example a real OpenAI
    /// <c>encrypted_content</c>), which the caller then treats as reasoning it cannot forward.
    /// </summary>
    public static bool TryDecode(string? encryptedContent, out DecodedThinking block)
    {
        block = default;
        if (encryptedContent is null || !encryptedContent.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var json = Convert.FromBase64String(encryptedContent[Prefix.Length..]);
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (root.TryGetProperty("redacted", out var redacted) && redacted.ValueKind == JsonValueKind.String)
            {
                block = new DecodedThinking(null, null, redacted.GetString());
                return true;
            }

            if (root.TryGetProperty("thinking", out var thinking) && thinking.ValueKind == JsonValueKind.String
                && root.TryGetProperty("signature", out var signature) && signature.ValueKind == JsonValueKind.String)
            {
                block = new DecodedThinking(thinking.GetString(), signature.GetString(), null);
                return true;
            }

            return false;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }
    }

    private static string Encode(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Prefix + Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

/// <summary>
/// A thinking block unwrapped from <see cref="ThinkingEnvelope"/>: <see cref="Thinking"/> and
/// <see cref="Signature"/> for a <c>thinking</c> block, or <see cref="RedactedData"/> for a
/// <c>redacted_thinking</c> block.
/// </summary>
public readonly record struct DecodedThinking(string? Thinking, string? Signature, string? RedactedData)
{
    public bool IsRedacted => RedactedData is not null;
}
