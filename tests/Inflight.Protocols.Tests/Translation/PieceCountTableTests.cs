using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The o200k counter's piece table: a piece is found only by its exact characters (whatever its length, and wherever
/// it sits in the text it is read from), the table stays within its capacity, and concurrent readers and writers
/// never see a count that belongs to another piece.
/// </summary>
public sealed class PieceCountTableTests
{
    [Fact]
    public void TryGet_EveryLengthUpToTheLimit_FindsEachPieceWithItsOwnCount()
    {
        var table = new PieceCountTable(capacity: 1_000);
        var pieces = Enumerable.Range(1, PieceCountTable.MaxPieceLength).Select(length => new string('x', length)).ToList();
        for (var i = 0; i < pieces.Count; i++)
        {
            table.Add(pieces[i], i + 1);
        }

        for (var i = 0; i < pieces.Count; i++)
        {
            Assert.True(table.TryGet(pieces[i], out var count), pieces[i].Length.ToString());
            Assert.Equal(i + 1, count);
        }

        Assert.Equal(PieceCountTable.MaxPieceLength, table.Count);
    }

    [Theory]
    [InlineData("abcdefgh", "abcdefgi")] // the last character of the words read as a whole
    [InlineData("abcdefghij", "abcdefghik")] // the same first eight, a different rest
    [InlineData("abcdefghij", "abcdefghijk")] // one a prefix of the other
    [InlineData("a", "a\0")] // zero padding must not make a shorter piece equal a longer one
    [InlineData("ab", "ba")]
    [InlineData("\u00e9t\u00e9", "\u00e9t\u00e8")]
    public void TryGet_PiecesThatDifferLittle_NeverShareACount(string first, string second)
    {
        var table = new PieceCountTable(capacity: 100);
        table.Add(first, 1);

        Assert.False(table.TryGet(second, out _));
        table.Add(second, 2);
        Assert.True(table.TryGet(first, out var firstCount));
        Assert.True(table.TryGet(second, out var secondCount));
        Assert.Equal((1, 2), (firstCount, secondCount));
    }

    [Fact]
    public void TryGet_PieceReadInsideALongerText_IgnoresTheCharactersAfterIt()
    {
        var table = new PieceCountTable(capacity: 100);
        table.Add("say", 1);
        table.Add(" hello world", 2);
        const string Text = "we say hello world, then say it again";

        // Read where whole words run past the piece, and where the text ends within eight characters of it.
        Assert.True(table.TryGet(Text, 3, 3, out var say));
        Assert.True(table.TryGet(Text, 6, 12, out var hello));
        Assert.True(table.TryGet("oh say", 3, 3, out var sayAtTheEnd));
        Assert.False(table.TryGet(Text, 3, 4, out _)); // "say " is another piece
        Assert.Equal((1, 2, 1), (say, hello, sayAtTheEnd));
    }

    [Fact]
    public void Add_PieceTooLongOrCountTooLarge_IsNotKept()
    {
        var table = new PieceCountTable(capacity: 100);
        var tooLong = new string('=', PieceCountTable.MaxPieceLength + 1);
        table.Add(tooLong, 3);
        table.Add("big", 256);
        table.Add(string.Empty, 1);

        Assert.False(table.TryGet(tooLong, out _));
        Assert.False(table.TryGet("big", out _));
        Assert.False(table.TryGet(string.Empty, out _));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Add_BeyondCapacity_StartsOverAndStillAnswersExactly()
    {
        var table = new PieceCountTable(capacity: 16);
        for (var i = 0; i < 100; i++)
        {
            var piece = $"piece number {i}";
            table.Add(piece, i % 200);
            Assert.InRange(table.Count, 1, 16);
            Assert.True(table.TryGet(piece, out var count));
            Assert.Equal(i % 200, count);
        }

        // Pieces from before the last start-over are gone, not answered with another piece's count.
        Assert.False(table.TryGet("piece number 0", out _));
    }

    [Fact]
    public void TryGet_ReadersWhileWritersAddAndStartOver_NeverSeeAnotherPiecesCount()
    {
        // Each piece's count is derived from its characters, so any answer can be checked; a small table starts over often.
        var table = new PieceCountTable(capacity: 64);
        static string Piece(int i) => i % 3 == 0 ? $"p{i}" : $"a longer piece {i:D6} with a tail";
        static int CountOf(int i) => (i % 250) + 1;

        Parallel.For(0, 4, worker =>
        {
            for (var round = 0; round < 20_000; round++)
            {
                var i = (round * 7 + worker * 13) % 1_000;
                if (table.TryGet(Piece(i), out var count))
                {
                    Assert.Equal(CountOf(i), count);
                }
                else
                {
                    table.Add(Piece(i), CountOf(i));
                }
            }
        });

        Assert.InRange(table.Count, 1, 64);
    }
}
