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

    /// <summary>Every odd bit: the parity the escape arithmetic measures each run of backslashes against.</summary>
    private const ulong OddBits = 0xAAAA_AAAA_AAAA_AAAA;

    /// <summary>The widest vectors the hardware runs (0 when it runs none: the caller keeps its scalar walk).</summary>
    public static readonly int HardwareVectorBits = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    /// <summary>
    /// Whether <paramref name="json"/> is what the writer writes: the raw bytes of a whole value (<paramref name="insideString"/>
    /// false), or a string's content between its quotes (true). <paramref name="vectorBits"/> is 512, 256 or 128 (tests run each).
    /// </summary>
    public static bool Is(ReadOnlySpan<byte> json, bool insideString, bool delIsStop, int vectorBits)
        => vectorBits switch
        {
            512 => Is<Vector512Blocks>(json, insideString, delIsStop),
            256 => Is<Vector256Blocks>(json, insideString, delIsStop),
            _ => Is<Vector128Blocks>(json, insideString, delIsStop),
        };

    private static bool Is<TBlocks>(ReadOnlySpan<byte> json, bool insideString, bool delIsStop)
        where TBlocks : struct, IBlockClassifier
    {
        ref var start = ref MemoryMarshal.GetReference(json);
        var tail = default(Block);
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
                block = ref tail[0];
                valid = (1UL << remaining) - 1;
            }

            var backslash = TBlocks.Equal(ref block, (byte)'\\') & valid;

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

            var quotes = TBlocks.Equal(ref block, (byte)'"') & valid & ~escaped;
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
                // From an opening quote to the byte before its closing quote (a block with none, as in a long text, is
                // wholly where the last one left off).
                inString = quotes == 0 ? inStringCarry : PrefixXor(quotes) ^ inStringCarry;
                inStringCarry = (ulong)((long)inString >> 63);
            }

            // Controls are never in a string as written (\t, \n, \r outside strings are whitespace: none either),
            // and a space outside strings is whitespace the writer does not write.
            if (((TBlocks.Stops(ref block, delIsStop) | (TBlocks.Equal(ref block, (byte)' ') & ~inString)) & valid) != 0)
            {
                return false;
            }

            var nonAscii = TBlocks.NonAscii(ref block) & valid & inString & SkipBelow(nonAsciiCheckedTo - offset);
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

    /// <summary>One bit per byte of a 64-byte block, for the bytes equal to a value, the ASCII stops, or from 0x80 up.</summary>
    private interface IBlockClassifier
    {
        static abstract ulong Equal(ref byte block, byte value);

        /// <summary>The controls, and DEL when <paramref name="delIsStop"/>.</summary>
        static abstract ulong Stops(ref byte block, bool delIsStop);

        static abstract ulong NonAscii(ref byte block);
    }

    private readonly struct Vector512Blocks : IBlockClassifier
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Equal(ref byte block, byte value) => Vector512.Equals(Vector512.LoadUnsafe(ref block), Vector512.Create(value)).ExtractMostSignificantBits();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Stops(ref byte block, bool delIsStop) => Stops(Vector512.LoadUnsafe(ref block), delIsStop).ExtractMostSignificantBits();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<byte> Stops(Vector512<byte> bytes, bool delIsStop)
        {
            var stops = Vector512.LessThan(bytes, Vector512.Create((byte)0x20));
            return delIsStop ? stops | Vector512.Equals(bytes, Vector512.Create((byte)0x7F)) : stops;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong NonAscii(ref byte block) => Vector512.LoadUnsafe(ref block).ExtractMostSignificantBits();
    }

    private readonly struct Vector256Blocks : IBlockClassifier
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Equal(ref byte block, byte value)
            => Bits(Vector256.Equals(Vector256.LoadUnsafe(ref block), Vector256.Create(value)), Vector256.Equals(Vector256.LoadUnsafe(ref block, 32), Vector256.Create(value)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Stops(ref byte block, bool delIsStop)
            => Bits(Stops(Vector256.LoadUnsafe(ref block), delIsStop), Stops(Vector256.LoadUnsafe(ref block, 32), delIsStop));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<byte> Stops(Vector256<byte> bytes, bool delIsStop)
        {
            var stops = Vector256.LessThan(bytes, Vector256.Create((byte)0x20));
            return delIsStop ? stops | Vector256.Equals(bytes, Vector256.Create((byte)0x7F)) : stops;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong NonAscii(ref byte block) => Bits(Vector256.LoadUnsafe(ref block), Vector256.LoadUnsafe(ref block, 32));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Bits(Vector256<byte> low, Vector256<byte> high)
            => low.ExtractMostSignificantBits() | ((ulong)high.ExtractMostSignificantBits() << 32);
    }

    private readonly struct Vector128Blocks : IBlockClassifier
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Equal(ref byte block, byte value)
        {
            var target = Vector128.Create(value);
            return Bits(
                Vector128.Equals(Vector128.LoadUnsafe(ref block), target),
                Vector128.Equals(Vector128.LoadUnsafe(ref block, 16), target),
                Vector128.Equals(Vector128.LoadUnsafe(ref block, 32), target),
                Vector128.Equals(Vector128.LoadUnsafe(ref block, 48), target));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Stops(ref byte block, bool delIsStop)
            => Bits(
                Stops(Vector128.LoadUnsafe(ref block), delIsStop),
                Stops(Vector128.LoadUnsafe(ref block, 16), delIsStop),
                Stops(Vector128.LoadUnsafe(ref block, 32), delIsStop),
                Stops(Vector128.LoadUnsafe(ref block, 48), delIsStop));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<byte> Stops(Vector128<byte> bytes, bool delIsStop)
        {
            var stops = Vector128.LessThan(bytes, Vector128.Create((byte)0x20));
            return delIsStop ? stops | Vector128.Equals(bytes, Vector128.Create((byte)0x7F)) : stops;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong NonAscii(ref byte block)
            => Bits(Vector128.LoadUnsafe(ref block), Vector128.LoadUnsafe(ref block, 16), Vector128.LoadUnsafe(ref block, 32), Vector128.LoadUnsafe(ref block, 48));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Bits(Vector128<byte> first, Vector128<byte> second, Vector128<byte> third, Vector128<byte> fourth)
            => first.ExtractMostSignificantBits() | ((ulong)second.ExtractMostSignificantBits() << 16)
                | ((ulong)third.ExtractMostSignificantBits() << 32) | ((ulong)fourth.ExtractMostSignificantBits() << 48);
    }

    /// <summary>The last, partial block's bytes (a local buffer rather than <c>stackalloc</c>, which would keep the loop from being re-optimized).</summary>
    [InlineArray(BlockSize)]
    private struct Block
    {
        private byte _first;
    }
}
