using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Inflight.Protocols.Translation;

/// <summary>
/// <see cref="WrittenAsIs"/>'s check 64 bytes at a time (simdjson's way): each block is classified with vector compares
/// into bit masks (quotes, backslashes, spaces, stops, non-ASCII), the escaped characters are found from the runs of
/// backslashes, the bytes inside strings by a prefix XOR of the unescaped quotes, both carried from block to block.
/// It assumes the bytes are valid JSON (the raw bytes of a parsed value) and that the encoder's ASCII stops are the
/// controls, the quote and the backslash (and DEL when <c>delIsStop</c>); <see cref="WrittenAsIs"/> checks that at
/// start-up. Non-ASCII characters are left to <see cref="WrittenAsIs.NonAsciiRunEnd"/>, which asks the encoder.
/// </summary>
internal static class WrittenAsIsScan
{
    private const int BlockSize = 64;

    /// <summary>Every odd bit: where a run of backslashes starting on an even bit has its escaping backslashes.</summary>
    private const ulong OddBits = 0xAAAA_AAAA_AAAA_AAAA;

    /// <summary>The widest vectors the hardware runs (0 when it runs none: the caller keeps its scalar walk).</summary>
    public static readonly int HardwareVectorBits = Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    /// <summary>
    /// Whether <paramref name="json"/> is what the writer writes: the raw bytes of a whole value (<paramref name="insideString"/>
    /// false), or a string's content between its quotes (true). <paramref name="vectorBits"/> is 256 or 128 (tests run both).
    /// </summary>
    public static bool Is(ReadOnlySpan<byte> json, bool insideString, bool delIsStop, int vectorBits)
    {
        ref var start = ref MemoryMarshal.GetReference(json);
        Span<byte> tail = stackalloc byte[BlockSize];
        var inStringCarry = insideString ? ulong.MaxValue : 0; // all ones while the previous block ended inside a string
        var escapedCarry = 0UL; // 1 when the next block's first byte is escaped by this block's last backslash
        var nonAsciiCheckedTo = 0; // a non-ASCII run checked in one block may go on into the next ones
        for (var offset = 0; offset < json.Length; offset += BlockSize)
        {
            var remaining = json.Length - offset;
            var valid = ulong.MaxValue;
            scoped ref var block = ref Unsafe.Add(ref start, offset);
            if (remaining < BlockSize)
            {
                // The last, partial block: read from a copy, and every mask cut to the bytes that are there.
                json[offset..].CopyTo(tail);
                block = ref MemoryMarshal.GetReference(tail);
                valid = (1UL << remaining) - 1;
            }

            var masks = vectorBits == 256 ? Classify256(ref block, delIsStop) : Classify128(ref block, delIsStop);
            var backslash = masks.Backslash & valid;

            ulong escaped;
            if (backslash == 0)
            {
                escaped = escapedCarry;
                escapedCarry = 0;
            }
            else
            {
                // A run of backslashes escapes every other byte from its start: subtracting the run's start from the odd
                // bits carries through the run, leaving the escaping backslashes and the byte after the run marked.
                var escapes = backslash & ~escapedCarry;
                var escapingAndEnd = (((escapes << 1) | OddBits) - escapes) ^ OddBits;
                escaped = escapingAndEnd ^ (backslash | escapedCarry);
                escapedCarry = (escapingAndEnd & backslash) >> 63;
            }

            if ((escaped & ~valid) != 0)
            {
                return false; // a backslash as the last byte: a string without its end
            }

            for (var e = escaped; e != 0; e &= e - 1)
            {
                // The writer's own escapes (checked against it in WrittenAsIsTests); \/, \u and a character it would escape are not.
                if (Unsafe.Add(ref block, BitOperations.TrailingZeroCount(e)) is not ((byte)'n' or (byte)'r' or (byte)'t' or (byte)'b' or (byte)'f' or (byte)'"' or (byte)'\\'))
                {
                    return false;
                }
            }

            var quotes = masks.Quote & valid & ~escaped;
            ulong inString;
            if (insideString)
            {
                if (quotes != 0)
                {
                    return false; // a string's content has no quote of its own
                }

                inString = ulong.MaxValue;
            }
            else
            {
                // From an opening quote to the byte before its closing quote.
                inString = PrefixXor(quotes) ^ inStringCarry;
                inStringCarry = (ulong)((long)inString >> 63);
            }

            // Controls are never in a string as written (\t, \n, \r outside strings are whitespace: none either),
            // and a space outside strings is whitespace the writer does not write.
            if (((masks.Stop | (masks.Space & ~inString)) & valid) != 0)
            {
                return false;
            }

            var nonAscii = masks.NonAscii & valid & inString & SkipBelow(nonAsciiCheckedTo - offset);
            while (nonAscii != 0)
            {
                var end = WrittenAsIs.NonAsciiRunEnd(json, offset + BitOperations.TrailingZeroCount(nonAscii));
                if (end < 0)
                {
                    return false;
                }

                nonAsciiCheckedTo = end;
                nonAscii &= SkipBelow(end - offset);
            }
        }

        // A whole value ends outside its strings; nothing ends on a backslash.
        return (insideString || inStringCarry == 0) && escapedCarry == 0;
    }

    /// <summary>The bits from <paramref name="count"/> up (all of them for a count of 0 or less, none from 64).</summary>
    private static ulong SkipBelow(int count) => count <= 0 ? ulong.MaxValue : count >= BlockSize ? 0 : ulong.MaxValue << count;

    /// <summary>Each bit the XOR of itself and every bit below it: 1 from an odd-numbered quote up to the next.</summary>
    private static ulong PrefixXor(ulong bits)
    {
        bits ^= bits << 1;
        bits ^= bits << 2;
        bits ^= bits << 4;
        bits ^= bits << 8;
        bits ^= bits << 16;
        bits ^= bits << 32;
        return bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static BlockMasks Classify256(ref byte block, bool delIsStop)
    {
        var low = Classify(Vector256.LoadUnsafe(ref block), delIsStop);
        var high = Classify(Vector256.LoadUnsafe(ref block, 32), delIsStop);
        return low | (high << 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static BlockMasks Classify128(ref byte block, bool delIsStop)
    {
        var masks = Classify(Vector128.LoadUnsafe(ref block), delIsStop);
        masks |= Classify(Vector128.LoadUnsafe(ref block, 16), delIsStop) << 16;
        masks |= Classify(Vector128.LoadUnsafe(ref block, 32), delIsStop) << 32;
        return masks | (Classify(Vector128.LoadUnsafe(ref block, 48), delIsStop) << 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static BlockMasks Classify(Vector256<byte> bytes, bool delIsStop)
    {
        var stop = Vector256.LessThan(bytes, Vector256.Create((byte)0x20));
        if (delIsStop)
        {
            stop |= Vector256.Equals(bytes, Vector256.Create((byte)0x7F));
        }

        return new(
            Vector256.Equals(bytes, Vector256.Create((byte)'"')).ExtractMostSignificantBits(),
            Vector256.Equals(bytes, Vector256.Create((byte)'\\')).ExtractMostSignificantBits(),
            Vector256.Equals(bytes, Vector256.Create((byte)' ')).ExtractMostSignificantBits(),
            stop.ExtractMostSignificantBits(),
            bytes.ExtractMostSignificantBits());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static BlockMasks Classify(Vector128<byte> bytes, bool delIsStop)
    {
        var stop = Vector128.LessThan(bytes, Vector128.Create((byte)0x20));
        if (delIsStop)
        {
            stop |= Vector128.Equals(bytes, Vector128.Create((byte)0x7F));
        }

        return new(
            Vector128.Equals(bytes, Vector128.Create((byte)'"')).ExtractMostSignificantBits(),
            Vector128.Equals(bytes, Vector128.Create((byte)'\\')).ExtractMostSignificantBits(),
            Vector128.Equals(bytes, Vector128.Create((byte)' ')).ExtractMostSignificantBits(),
            stop.ExtractMostSignificantBits(),
            bytes.ExtractMostSignificantBits());
    }

    /// <summary>One bit per byte of a block: the quotes, the backslashes, the spaces, the ASCII stops (controls, maybe DEL), the non-ASCII bytes.</summary>
    private readonly record struct BlockMasks(ulong Quote, ulong Backslash, ulong Space, ulong Stop, ulong NonAscii)
    {
        public static BlockMasks operator |(BlockMasks a, BlockMasks b)
            => new(a.Quote | b.Quote, a.Backslash | b.Backslash, a.Space | b.Space, a.Stop | b.Stop, a.NonAscii | b.NonAscii);

        public static BlockMasks operator <<(BlockMasks masks, int shift)
            => new(masks.Quote << shift, masks.Backslash << shift, masks.Space << shift, masks.Stop << shift, masks.NonAscii << shift);
    }
}
