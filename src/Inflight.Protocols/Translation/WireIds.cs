using System.Security.Cryptography;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Ids in each API's own form. Derived from the upstream id when there is one, so the same upstream
/// response always gives the same client output; random otherwise.
/// </summary>
internal static class WireIds
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Anthropic(string? upstreamId) => Make("msg_", upstreamId, "chatcmpl-");

    public static string OpenAI(string? upstreamId) => Make("chatcmpl-", upstreamId, "msg_");

    /// <summary>A Responses <c>resp_</c> id from a Chat (<c>chatcmpl-</c>) or Anthropic (<c>msg_</c>) id.</summary>
    public static string Responses(string? upstreamId)
        => Make("resp_", upstreamId is not null && upstreamId.StartsWith("msg_", StringComparison.Ordinal) ? upstreamId[4..] : upstreamId, "chatcmpl-");

    private static string Make(string prefix, string? upstreamId, string foreignPrefix)
    {
        if (string.IsNullOrEmpty(upstreamId))
        {
            return prefix + RandomNumberGenerator.GetString(Alphabet, 24);
        }

        var core = upstreamId.StartsWith(foreignPrefix, StringComparison.Ordinal) ? upstreamId[foreignPrefix.Length..] : upstreamId;
        if (core.StartsWith(prefix, StringComparison.Ordinal))
        {
            return core;
        }

        Span<char> clean = core.Length <= 128 ? stackalloc char[core.Length] : new char[core.Length];
        var n = 0;
        foreach (var c in core)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            {
                clean[n++] = c;
            }
        }

        return n == 0 ? prefix + RandomNumberGenerator.GetString(Alphabet, 24) : string.Concat(prefix, clean[..n]);
    }
}
