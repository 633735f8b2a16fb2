using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Inflight.Protocols.Accounting;

/// <summary>
/// The parts of an OpenAI Chat Completions message that a streamed <c>choices[].delta</c> and a
/// complete <c>choices[0].message</c> share, so both accountants weigh the same fields the same way.
/// </summary>
internal static class OpenAIMessageJson
{
    /// <summary>
    /// Whether the reader is on the name of a property whose string value is generated text:
    /// <c>content</c>, <c>reasoning_content</c> (DeepSeek, vLLM), <c>reasoning</c> (OpenRouter) or
    /// <c>refusal</c>.
    /// </summary>
    // Inlined: it is called for every property of every streamed delta.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsGeneratedText(ref Utf8JsonReader reader)
        => reader.ValueTextEquals("content"u8)
            || reader.ValueTextEquals("reasoning_content"u8)
            || reader.ValueTextEquals("reasoning"u8)
            || reader.ValueTextEquals("refusal"u8);

    /// <summary>
    /// Moves from a tool call's <c>function</c> property name to its value and weighs its <c>name</c>
    /// and <c>arguments</c> (see <see cref="JsonFields.WeighString"/>); anything but an object weighs
    /// nothing and is skipped. The reader ends on the value's last token.
    /// </summary>
    public static long WeighFunction(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        long units = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8) || reader.ValueTextEquals("arguments"u8))
            {
                units += JsonFields.WeighString(ref reader);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return units;
    }
}
