using System.Runtime.InteropServices;
using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>A request translator's output as an array of its own (tests, count_tokens); the gateway sends from the pooled buffer instead.</summary>
internal static class TranslatedBody
{
    public static byte[] ToArray(JsonElement request, TranslationContext ctx, Action<JsonElement, TranslationContext, PooledBufferWriter> translate)
    {
        using var output = new PooledBufferWriter(InitialCapacity(request));
        translate(request, ctx, output);

        // Every byte is copied over: no need to zero the array first (for a body this size, zeroing costs about as much as the copy).
        var result = GC.AllocateUninitializedArray<byte>(output.WrittenCount);
        output.WrittenSpan.CopyTo(result);
        return result;
    }

    /// <summary>Room for a translation of <paramref name="request"/>: the output is about the input's size (the same texts and schemas).</summary>
    public static int InitialCapacity(JsonElement request) => JsonMarshal.GetRawUtf8Value(request).Length + 1024;
}
