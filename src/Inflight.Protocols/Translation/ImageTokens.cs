using System.Buffers.Binary;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Anthropic's documented image cost: tokens ≈ width × height / 750, after the API scales the image to
/// fit a 1568-pixel long edge and about 1.15 megapixels (Vision guide, "Calculate image costs").
/// Dimensions come from the image header of a base64 source (PNG, JPEG, GIF, WebP); a URL image or an
/// unreadable header costs <see cref="Unknown"/>, the cost of a maximum-size image.
/// </summary>
internal static class ImageTokens
{
    public const int Unknown = 1600;

    private const int MaxLongEdge = 1568;
    private const double MaxPixels = 1_150_000;

    public static int Estimate(string? base64)
    {
        if (string.IsNullOrEmpty(base64) || !TryReadSize(base64, out var width, out var height) || width <= 0 || height <= 0)
        {
            return Unknown;
        }

        double w = width, h = height;
        var scale = Math.Min(1.0, MaxLongEdge / Math.Max(w, h));
        scale = Math.Min(scale, Math.Sqrt(MaxPixels / (w * h)));
        return Math.Max(1, (int)Math.Ceiling(w * scale * (h * scale) / 750));
    }

    internal static bool TryReadSize(string base64, out int width, out int height)
    {
        width = height = 0;

        // JPEG headers can sit behind EXIF data; 64 KiB of image is enough in practice.
        var take = Math.Min(base64.Length, 87_380) & ~3;
        var bytes = new byte[take / 4 * 3];
        if (!Convert.TryFromBase64Chars(base64.AsSpan(0, take), bytes, out var length))
        {
            return false;
        }

        ReadOnlySpan<byte> b = bytes.AsSpan(0, length);
        if (b.Length >= 24 && b[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            width = BinaryPrimitives.ReadInt32BigEndian(b[16..]);
            height = BinaryPrimitives.ReadInt32BigEndian(b[20..]);
            return true;
        }

        if (b.Length >= 10 && b[..4].SequenceEqual("GIF8"u8))
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(b[6..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(b[8..]);
            return true;
        }

        if (b.Length >= 30 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8))
        {
            return TryReadWebP(b, out width, out height);
        }

        if (b.Length >= 4 && b[0] == 0xFF && b[1] == 0xD8)
        {
            return TryReadJpeg(b, out width, out height);
        }

        return false;
    }

    private static bool TryReadWebP(ReadOnlySpan<byte> b, out int width, out int height)
    {
        var chunk = b[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            width = 1 + (b[24] | (b[25] << 8) | (b[26] << 16));
            height = 1 + (b[27] | (b[28] << 8) | (b[29] << 16));
            return true;
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(b[21..]);
            width = 1 + (int)(bits & 0x3FFF);
            height = 1 + (int)((bits >> 14) & 0x3FFF);
            return true;
        }

        if (chunk.SequenceEqual("VP8 "u8))
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(b[26..]) & 0x3FFF;
            height = BinaryPrimitives.ReadUInt16LittleEndian(b[28..]) & 0x3FFF;
            return true;
        }

        width = height = 0;
        return false;
    }

    private static bool TryReadJpeg(ReadOnlySpan<byte> b, out int width, out int height)
    {
        var i = 2;
        while (i + 9 < b.Length)
        {
            if (b[i] != 0xFF)
            {
                i++;
                continue;
            }

            var marker = b[i + 1];

            // SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                height = BinaryPrimitives.ReadUInt16BigEndian(b[(i + 5)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(b[(i + 7)..]);
                return true;
            }

            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7) or 0xFF)
            {
                i += marker == 0xFF ? 1 : 2;
                continue;
            }

            i += 2 + BinaryPrimitives.ReadUInt16BigEndian(b[(i + 2)..]);
        }

        width = height = 0;
        return false;
    }
}
