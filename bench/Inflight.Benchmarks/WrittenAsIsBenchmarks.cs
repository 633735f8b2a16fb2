using System.Runtime.InteropServices;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Inflight.Bench;
using Inflight.Protocols.Tests.Translation;
using Inflight.Protocols.Translation;

namespace Inflight.Benchmarks;

/// <summary>
/// The check that lets the translators copy a value's raw bytes (<see cref="WrittenAsIs"/>), on what a real Claude
/// Code turn gives it (bench/bodies): every tool's parameter schema and description (<see cref="WrittenAsIs.Is"/>) and
/// every system text (<see cref="WrittenAsIs.IsStringContent"/>). <see cref="ByteByByte"/> is the walk it replaced (the tests'
/// reference copy), for the before/after ratio; <see cref="BlockScan256"/> and <see cref="BlockScan128"/> the scan at the
/// narrower widths it runs on hardware without 512-bit (or 256-bit) vectors.
/// </summary>
public class WrittenAsIsBenchmarks
{
    private static readonly bool s_delIsStop = JsonOutput.WriterOptions.Encoder!.FindFirstCharacterToEncodeUtf8([0x7F]) >= 0;

    private JsonDocument _parsed = null!;
    private JsonElement[] _toolValues = null!;
    private JsonElement[] _systemTexts = null!;

    [GlobalSetup]
    public void Setup()
    {
        var bodies = ClaudeCodeBodies.Load(Path.Combine(AppContext.BaseDirectory, "bodies"));
        _parsed = JsonDocument.Parse(bodies.FirstTurn);
        var root = _parsed.RootElement;
        _toolValues = [.. root.GetProperty("tools").EnumerateArray().SelectMany(tool => new[] { tool.GetProperty("input_schema"), tool.GetProperty("description") })];
        _systemTexts = [.. root.GetProperty("system").EnumerateArray().Select(block => block.GetProperty("text"))];
        if (BlockScan() != ByteByByte())
        {
            throw new InvalidOperationException("The block scan and the byte-by-byte walk disagree on the Claude Code body.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _parsed.Dispose();

    /// <summary>The check as the translators run it.</summary>
    [Benchmark]
    public int BlockScan()
    {
        var copied = 0;
        foreach (var value in _toolValues)
        {
            copied += WrittenAsIs.Is(JsonMarshal.GetRawUtf8Value(value)) ? 1 : 0;
        }

        foreach (var text in _systemTexts)
        {
            copied += WrittenAsIs.IsStringContent(JsonMarshal.GetRawUtf8Value(text)[1..^1]) ? 1 : 0;
        }

        return copied;
    }

    /// <summary>The scan with 256-bit vectors.</summary>
    [Benchmark]
    public int BlockScan256() => BlockScanAt(256);

    /// <summary>The scan with 128-bit vectors.</summary>
    [Benchmark]
    public int BlockScan128() => BlockScanAt(128);

    /// <summary>The same check as it was: one <c>IndexOfAny</c> per string (and per escape) and a byte-by-byte walk between strings.</summary>
    [Benchmark(Baseline = true)]
    public int ByteByByte()
    {
        var copied = 0;
        foreach (var value in _toolValues)
        {
            copied += ReferenceWrittenAsIs.Is(JsonMarshal.GetRawUtf8Value(value)) ? 1 : 0;
        }

        foreach (var text in _systemTexts)
        {
            copied += ReferenceWrittenAsIs.IsStringContent(JsonMarshal.GetRawUtf8Value(text)[1..^1]) ? 1 : 0;
        }

        return copied;
    }

    private int BlockScanAt(int vectorBits)
    {
        var copied = 0;
        foreach (var value in _toolValues)
        {
            copied += WrittenAsIsScan.Is(JsonMarshal.GetRawUtf8Value(value), insideString: false, s_delIsStop, vectorBits) ? 1 : 0;
        }

        foreach (var text in _systemTexts)
        {
            copied += WrittenAsIsScan.Is(JsonMarshal.GetRawUtf8Value(text)[1..^1], insideString: true, s_delIsStop, vectorBits) ? 1 : 0;
        }

        return copied;
    }
}
