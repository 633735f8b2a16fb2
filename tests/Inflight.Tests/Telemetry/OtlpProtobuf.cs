using System.Buffers.Binary;
using System.Text;

namespace Inflight.Tests.Telemetry;

/// <summary>A span as an OTLP collector receives it.</summary>
internal sealed record ReceivedSpan(string Name, int Kind, string TraceId, string SpanId, string ParentSpanId, int StatusCode, IReadOnlyDictionary<string, object?> Attributes)
{
    public const int ClientKind = 3;
    public const int ErrorStatus = 2;
}

/// <summary>One data point of a metric as an OTLP collector receives it.</summary>
internal sealed record ReceivedDataPoint(string Metric, string Unit, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>
/// Reads the OTLP/HTTP protobuf bodies (<c>ExportTraceServiceRequest</c>, <c>ExportMetricsServiceRequest</c>)
/// by field number, as opentelemetry-proto defines them, with a minimal wire-format reader: the test needs no
/// generated code, and a wrong field number fails the test rather than passing it.
/// </summary>
internal static class OtlpProtobuf
{
    public static List<ReceivedSpan> ReadSpans(ReadOnlyMemory<byte> body)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var resourceSpans in Messages(body, 1))
        {
            foreach (var scopeSpans in Messages(resourceSpans, 2))
            {
                foreach (var span in Messages(scopeSpans, 2))
                {
                    var fields = Fields(span);
                    var status = Messages(span, 15).Select(s => (int)Varint(s, 3)).FirstOrDefault();
                    spans.Add(new ReceivedSpan(
                        Text(fields, 5),
                        (int)Varint(span, 6),
                        Hex(fields, 1),
                        Hex(fields, 2),
                        Hex(fields, 4),
                        status,
                        Attributes(span, 9)));
                }
            }
        }

        return spans;
    }

    public static List<ReceivedDataPoint> ReadDataPoints(ReadOnlyMemory<byte> body)
    {
        var points = new List<ReceivedDataPoint>();
        foreach (var resourceMetrics in Messages(body, 1))
        {
            foreach (var scopeMetrics in Messages(resourceMetrics, 2))
            {
                foreach (var metric in Messages(scopeMetrics, 2))
                {
                    var fields = Fields(metric);
                    var name = Text(fields, 1);
                    var unit = Text(fields, 3);

                    // Gauge (5) and Sum (7) hold NumberDataPoints (attributes 7); Histogram (9) HistogramDataPoints (attributes 9).
                    foreach (var (dataField, attributesField) in new[] { (5, 7), (7, 7), (9, 9) })
                    {
                        foreach (var data in Messages(metric, dataField))
                        {
                            foreach (var point in Messages(data, 1))
                            {
                                points.Add(new ReceivedDataPoint(name, unit, Attributes(point, attributesField)));
                            }
                        }
                    }
                }
            }
        }

        return points;
    }

    private static Dictionary<string, object?> Attributes(ReadOnlyMemory<byte> message, int field)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var keyValue in Messages(message, field))
        {
            var fields = Fields(keyValue);
            var value = Messages(keyValue, 2).Select(AnyValue).FirstOrDefault();
            attributes[Text(fields, 1)] = value;
        }

        return attributes;
    }

    /// <summary>An <c>AnyValue</c>: string, bool, long, double or object[] (an array).</summary>
    private static object? AnyValue(ReadOnlyMemory<byte> value)
    {
        foreach (var (field, _, varint, bytes) in Fields(value))
        {
            switch (field)
            {
                case 1: return Encoding.UTF8.GetString(bytes.Span);
                case 2: return varint != 0;
                case 3: return (long)varint;
                case 4: return BitConverter.UInt64BitsToDouble(varint);
                case 5: return Messages(bytes, 1).Select(AnyValue).ToArray();
            }
        }

        return null;
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Messages(ReadOnlyMemory<byte> message, int field)
        => Fields(message).Where(f => f.Field == field && f.WireType == 2).Select(f => f.Bytes);

    private static ulong Varint(ReadOnlyMemory<byte> message, int field)
        => Fields(message).Where(f => f.Field == field && f.WireType == 0).Select(f => f.Varint).FirstOrDefault();

    private static string Text(List<(int Field, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes)> fields, int field)
        => fields.Where(f => f.Field == field && f.WireType == 2).Select(f => Encoding.UTF8.GetString(f.Bytes.Span)).FirstOrDefault() ?? "";

    private static string Hex(List<(int Field, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes)> fields, int field)
        => fields.Where(f => f.Field == field && f.WireType == 2).Select(f => Convert.ToHexStringLower(f.Bytes.Span)).FirstOrDefault() ?? "";

    /// <summary>The fields of one message: varint and fixed values in <c>Varint</c> (fixed64/32 as raw bits), length-delimited ones in <c>Bytes</c>.</summary>
    private static List<(int Field, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes)> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<(int, int, ulong, ReadOnlyMemory<byte>)>();
        var position = 0;
        var span = message.Span;
        while (position < span.Length)
        {
            var key = ReadVarint(span, ref position);
            var field = (int)(key >> 3);
            var wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add((field, wireType, ReadVarint(span, ref position), default));
                    break;
                case 1:
                    fields.Add((field, wireType, BinaryPrimitives.ReadUInt64LittleEndian(span[position..]), default));
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(span, ref position);
                    fields.Add((field, wireType, 0, message.Slice(position, length)));
                    position += length;
                    break;
                case 5:
                    fields.Add((field, wireType, BinaryPrimitives.ReadUInt32LittleEndian(span[position..]), default));
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unexpected protobuf wire type {wireType} (field {field}).");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("Malformed protobuf varint.");
    }
}
