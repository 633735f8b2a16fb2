using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Inflight.Demo;

/// <summary>Encodes JSON bodies and server-sent events exactly as the providers put them on the wire.</summary>
internal static class DemoWire
{
    /// <summary>OpenAI's end-of-stream sentinel.</summary>
    public static ReadOnlyMemory<byte> Done { get; } = "data: [DONE]\n\n"u8.ToArray();

    /// <summary>Anthropic's keep-alive, byte for byte as the API sends it (with the space).</summary>
    public static ReadOnlyMemory<byte> AnthropicPing { get; } = "event: ping\ndata: {\"type\": \"ping\"}\n\n"u8.ToArray();

    public static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>event: {name}\ndata: {json}\n\n</c>, or just the data line when <paramref name="eventName"/> is null (OpenAI).</summary>
    public static byte[] Event(string? eventName, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        if (eventName is not null)
        {
            Append(buffer, "event: ");
            Append(buffer, eventName);
            Append(buffer, "\n");
        }

        Append(buffer, "data: ");
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        Append(buffer, "\n\n");
        return buffer.WrittenSpan.ToArray();
    }

    private static void Append(ArrayBufferWriter<byte> buffer, string text)
    {
        var span = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        buffer.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
