namespace Inflight.Tests.Infrastructure;

/// <summary>Reads a streamed answer as the client sees it, line by line.</summary>
internal static class StreamLines
{
    /// <summary>Every line of <paramref name="response"/> to the end; <paramref name="seen"/> completes at the first line <paramref name="signalAt"/> accepts.</summary>
    public static async Task<List<string>> ReadAllAsync(HttpResponseMessage response, Func<string, bool> signalAt, TaskCompletionSource seen, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var lines = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lines.Add(line);
            if (signalAt(line))
            {
                seen.TrySetResult();
            }
        }

        return lines;
    }
}
