namespace Inflight.Protocols.Tests.Accounting;

/// <summary>Ways to cut a byte stream into chunks, as a network may deliver it.</summary>
internal static class Splits
{
    /// <summary>Every two-chunk split, one byte per chunk, and three chunks at a few uneven points.</summary>
    public static IEnumerable<byte[][]> Of(byte[] bytes)
    {
        for (var split = 1; split < bytes.Length; split++)
        {
            yield return [bytes[..split], bytes[split..]];
        }

        yield return bytes.Select(b => new[] { b }).ToArray();

        for (var step = 7; step < bytes.Length; step *= 3)
        {
            yield return bytes.Chunk(step).ToArray();
        }
    }
}
