using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Token counts of short text pieces, read without locks: the piece table behind <see cref="O200kTokenCounter"/>.
/// A first turn of a Claude Code conversation looks up ~16,000 pieces, so a lookup has to cost a few nanoseconds.
/// </summary>
/// <remarks>
/// <para>
/// Open addressing with linear probing over one array of three-word slots: a packed entry (hash tag, piece length,
/// count, where characters past the eighth are kept) and the piece's first eight characters as two words, zero-padded.
/// A lookup reads those two words straight from the text and masks them to the piece's length, so a piece of up to
/// eight characters (~90 % of them) is hashed and compared without a loop or a length-dependent branch: pieces
/// come in every length in turn, and each mispredicted branch cost more than the rest of the lookup.
/// <see cref="System.Collections.Concurrent.ConcurrentDictionary{TKey,TValue}"/> spent ~15 ns a lookup here.
/// </para>
/// <para>
/// Writers take a lock (a miss has just cost a byte-pair encoding by the library, microseconds) and write the
/// characters before they publish the entry, so a reader that sees an entry sees its characters. When the table holds
/// <c>capacity</c> pieces it starts over with a new generation, rather than pay for recency bookkeeping on every
/// lookup; readers still on the old one finish there.
/// </para>
/// <para>
/// Bounded against crafted input: the hash is seeded per process, and a probe stops after
/// <see cref="MaxProbe"/> slots (a lookup that far counts as a miss, and such a piece is not added), so no sequence
/// of pieces makes a lookup cost more than a few dozen comparisons.
/// </para>
/// </remarks>
internal sealed class PieceCountTable
{
    /// <summary>Longest piece kept: the length field has 7 bits, and longer pieces are rare and mostly unique.</summary>
    public const int MaxPieceLength = 64;

    private const int HeadLength = 8;
    private const int SlotWords = 3;
    private const int MaxProbe = 32;
    private const int MaxCount = 0xFF;
    private const int InitialChars = 1 << 14;

    // Entry layout, from the low bits: count (8), length (7), offset of the characters after the head (22), hash tag
    // (27). An entry is never 0 (a piece has at least one character), so 0 marks an empty slot.
    private const int LengthShift = 8;
    private const int OffsetShift = 15;
    private const int TagShift = 37;
    private const int OffsetBits = 22;
    private const ulong KeyMask = (ulong.MaxValue << TagShift) | (0x7FUL << LengthShift);

    private static readonly ulong s_seed = (ulong)Random.Shared.NextInt64() | 1;

    // Which bits of the two head words a piece of 0..8 characters fills.
    private static readonly ulong[] s_lowMasks = [0, 0xFFFF, 0xFFFF_FFFF, 0xFFFF_FFFF_FFFF, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue];
    private static readonly ulong[] s_highMasks = [0, 0, 0, 0, 0, 0xFFFF, 0xFFFF_FFFF, 0xFFFF_FFFF_FFFF, ulong.MaxValue];

    private readonly int _capacity;
    private readonly Lock _writeLock = new();
    private volatile Generation _current;

    /// <param name="capacity">Pieces kept before the table starts over; at most 2^22 / <see cref="MaxPieceLength"/> (65,536).</param>
    public PieceCountTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, (1 << OffsetBits) / MaxPieceLength);
        _capacity = capacity;
        _current = new Generation(capacity);
    }

    /// <summary>Pieces held now.</summary>
    public int Count => Volatile.Read(ref _current.Entries);

    /// <summary>The count remembered for <paramref name="piece"/>, if any.</summary>
    public bool TryGet(ReadOnlySpan<char> piece, out int count) => TryGet(piece, 0, piece.Length, out count);

    /// <summary>The count remembered for the piece at <paramref name="start"/> in <paramref name="text"/>, if any.</summary>
    public bool TryGet(ReadOnlySpan<char> text, int start, int length, out int count)
    {
        count = 0;
        if ((uint)(length - 1) >= MaxPieceLength)
        {
            return false;
        }

        var (low, high) = Head(text, start, length);
        var hash = Hash(low, high, length);
        var wanted = Key(hash, length);
        var generation = _current;
        var slots = generation.Slots;
        var mask = generation.SlotMask;
        var index = (int)hash & mask;
        for (var probe = 0; probe < MaxProbe; probe++)
        {
            // The entry with acquire semantics, then the head the writer stored before it.
            ref var slot = ref slots[index * SlotWords];
            var entry = Volatile.Read(ref slot);
            if (entry == 0)
            {
                return false;
            }

            if ((entry & KeyMask) == wanted && Unsafe.Add(ref slot, 1) == low && Unsafe.Add(ref slot, 2) == high
                && (length <= HeadLength || text.Slice(start + HeadLength, length - HeadLength).SequenceEqual(generation.Rest(entry, length))))
            {
                count = (int)(entry & MaxCount);
                return true;
            }

            index = (index + 1) & mask;
        }

        return false;
    }

    /// <summary>Remembers <paramref name="piece"/>'s count (ignored for pieces too long, counts too large, or crowded slots).</summary>
    public void Add(ReadOnlySpan<char> piece, int count)
    {
        var length = piece.Length;
        if ((uint)(length - 1) >= MaxPieceLength || (uint)count > MaxCount)
        {
            return;
        }

        var (low, high) = Head(piece, 0, length);
        var hash = Hash(low, high, length);
        var key = Key(hash, length);
        lock (_writeLock)
        {
            var generation = _current;
            if (generation.Entries >= _capacity)
            {
                generation = new Generation(_capacity);
                _current = generation;
            }

            var slots = generation.Slots;
            var mask = generation.SlotMask;
            var index = (int)hash & mask;
            for (var probe = 0; probe < MaxProbe; probe++)
            {
                ref var slot = ref slots[index * SlotWords];
                if (slot == 0)
                {
                    var offset = length > HeadLength ? generation.Append(piece[HeadLength..]) : 0;

                    // Head and characters first, then the entry (release): a reader that sees the entry sees them.
                    Unsafe.Add(ref slot, 1) = low;
                    Unsafe.Add(ref slot, 2) = high;
                    Volatile.Write(ref slot, key | ((ulong)offset << OffsetShift) | (uint)count);
                    Volatile.Write(ref generation.Entries, generation.Entries + 1);
                    return;
                }

                if ((slot & KeyMask) == key && Unsafe.Add(ref slot, 1) == low && Unsafe.Add(ref slot, 2) == high
                    && (length <= HeadLength || piece[HeadLength..].SequenceEqual(generation.Rest(slot, length))))
                {
                    return;
                }

                index = (index + 1) & mask;
            }
        }
    }

    /// <summary>Forgets every piece, as a new process would start.</summary>
    public void Clear()
    {
        lock (_writeLock)
        {
            _current = new Generation(_capacity);
        }
    }

    /// <summary>What an entry for a piece with this hash and length has in its tag and length fields.</summary>
    private static ulong Key(ulong hash, int length) => (hash >> TagShift << TagShift) | ((ulong)length << LengthShift);

    /// <summary>
    /// The piece's first (up to) eight characters as two words, zero-padded: read as whole words from the text, and
    /// masked to the piece, unless the text ends within eight characters of the piece's start.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (ulong Low, ulong High) Head(ReadOnlySpan<char> text, int start, int length)
    {
        if (text.Length - start < HeadLength)
        {
            return HeadNearEnd(text, start, length);
        }

        ref var at = ref Unsafe.As<char, byte>(ref Unsafe.Add(ref MemoryMarshal.GetReference(text), start));
        var filled = Math.Min(length, HeadLength);
        return (Unsafe.ReadUnaligned<ulong>(ref at) & s_lowMasks[filled], Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref at, 8)) & s_highMasks[filled]);
    }

    /// <summary><see cref="Head"/> within eight characters of the text's end, where whole words cannot be read.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (ulong Low, ulong High) HeadNearEnd(ReadOnlySpan<char> text, int start, int length)
    {
        Span<char> padded = stackalloc char[HeadLength];
        padded.Clear();
        text.Slice(start, Math.Min(length, HeadLength)).CopyTo(padded);
        return (MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(padded)), MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(padded[4..])));
    }

    /// <summary>A seeded multiply-xor hash of the head words and the length (characters past the eighth are only compared).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ulong low, ulong high, int length)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var hash = ((s_seed ^ low) * Multiplier) ^ BitOperations.RotateLeft((high ^ (ulong)length) * 0xC2B2AE3D27D4EB4F, 31);
        hash ^= hash >> 32;
        hash *= Multiplier;
        return hash ^ (hash >> 29);
    }

    /// <summary>One table's slots and characters; replaced whole when the table starts over.</summary>
    private sealed class Generation
    {
        /// <summary>Three words per slot (entry, head low, head high); at most half the slots used, so probes stay short.</summary>
        public readonly ulong[] Slots;
        public readonly int SlotMask;
        public int Entries;
        private volatile char[] _characters;
        private int _used;

        public Generation(int capacity)
        {
            var slotCount = (int)BitOperations.RoundUpToPowerOf2((uint)capacity * 2);
            Slots = new ulong[slotCount * SlotWords];
            SlotMask = slotCount - 1;
            _characters = new char[Math.Min(InitialChars, capacity * (MaxPieceLength - HeadLength))];
        }

        /// <summary>The characters after the head of the entry's piece.</summary>
        public ReadOnlySpan<char> Rest(ulong entry, int length)
            => _characters.AsSpan((int)((entry >> OffsetShift) & ((1UL << OffsetBits) - 1)), length - HeadLength);

        /// <summary>Appends characters (under the writer's lock) and returns where they start.</summary>
        public int Append(ReadOnlySpan<char> rest)
        {
            var characters = _characters;
            if (_used + rest.Length > characters.Length)
            {
                // Readers holding the old array still find every piece published before the swap in it.
                var grown = new char[Math.Max(characters.Length * 2, _used + rest.Length)];
                characters.AsSpan(0, _used).CopyTo(grown);
                _characters = characters = grown;
            }

            rest.CopyTo(characters.AsSpan(_used));
            var offset = _used;
            _used += rest.Length;
            return offset;
        }
    }
}
