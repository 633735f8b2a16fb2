using System.Buffers;
using System.Text.Json;

namespace Inflight.Metrics;

/// <summary>
/// Compares two serializations of one active-request record property by property, on the UTF-8 bytes (no DOM):
/// what changed becomes a <c>request-update</c> body (<c>request_id</c> plus the changed properties, copied raw),
/// and the record as the watcher now has it is returned for the next comparison. Generic over the record's
/// properties, so a field added to <see cref="Tracking.ActiveRequestSnapshot"/> is diffed without a change here.
/// </summary>
/// <remarks>Owned by one caller at a time (the delta publisher's round): its buffers are reused.</remarks>
internal sealed class DeltaRecordDiff
{
    /// <summary>Properties that move with the clock alone; a change round leaves them to the interval round.</summary>
    private static readonly byte[][] s_clockFields = ["duration_ms"u8.ToArray(), "idle_ms"u8.ToArray(), "tokens_per_second"u8.ToArray()];

    private readonly List<Property> _previous = new(48);
    private readonly List<Property> _current = new(48);
    private readonly ArrayBufferWriter<byte> _update = new(512);
    private readonly ArrayBufferWriter<byte> _view = new(1024);
    private readonly Utf8JsonWriter _updateWriter;
    private readonly Utf8JsonWriter _viewWriter;

    public DeltaRecordDiff()
    {
        _updateWriter = new Utf8JsonWriter(_update);
        _viewWriter = new Utf8JsonWriter(_view);
    }

    /// <summary>The <c>request-update</c> body of the last <see cref="Compare"/> that found a change.</summary>
    public ReadOnlySpan<byte> Update => _update.WrittenSpan;

    /// <summary>
    /// Returns the record as the watcher has it after the update in <see cref="Update"/>, or null when nothing it
    /// should see changed. Without <paramref name="includeClock"/> the clock-only properties keep their previous
    /// values (in the update and in the returned record alike), so the record stays exactly what was sent.
    /// </summary>
    public byte[]? Compare(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> current, bool includeClock)
    {
        if (previous.SequenceEqual(current))
        {
            return null;
        }

        Split(previous, _previous);
        Split(current, _current);
        _update.ResetWrittenCount();
        _view.ResetWrittenCount();
        _updateWriter.Reset();
        _viewWriter.Reset();
        _updateWriter.WriteStartObject();
        _viewWriter.WriteStartObject();
        var changed = false;
        for (var i = 0; i < _current.Count; i++)
        {
            var property = _current[i];
            var name = current.Slice(property.NameStart, property.NameLength);
            var value = current.Slice(property.ValueStart, property.ValueLength);
            var index = IndexOf(previous, _previous, name, i);
            if (name.SequenceEqual("request_id"u8))
            {
                _updateWriter.WritePropertyName(name);
                _updateWriter.WriteRawValue(value, skipInputValidation: true);
            }
            else if (!includeClock && IsClockField(name) && index >= 0)
            {
                // The watcher keeps the value it has until the next interval round.
                var kept = _previous[index];
                value = previous.Slice(kept.ValueStart, kept.ValueLength);
            }
            else if (index < 0 || !value.SequenceEqual(previous.Slice(_previous[index].ValueStart, _previous[index].ValueLength)))
            {
                _updateWriter.WritePropertyName(name);
                _updateWriter.WriteRawValue(value, skipInputValidation: true);
                changed = true;
            }

            _viewWriter.WritePropertyName(name);
            _viewWriter.WriteRawValue(value, skipInputValidation: true);
        }

        // A property the record no longer has: the watcher is told it is null (none of today's fields vanish).
        for (var i = 0; i < _previous.Count; i++)
        {
            var name = previous.Slice(_previous[i].NameStart, _previous[i].NameLength);
            if (IndexOf(current, _current, name, i) < 0 && (includeClock || !IsClockField(name)))
            {
                _updateWriter.WriteNull(name);
                changed = true;
            }
        }

        _updateWriter.WriteEndObject();
        _viewWriter.WriteEndObject();
        _updateWriter.Flush();
        _viewWriter.Flush();
        return changed ? _view.WrittenSpan.ToArray() : null;
    }

    /// <summary>The top-level properties of a flat JSON object: where each name and raw value sit.</summary>
    private static void Split(ReadOnlySpan<byte> json, List<Property> into)
    {
        into.Clear();
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Our own snake_case names are never escaped, so the raw span is the name.
            var nameStart = (int)reader.TokenStartIndex + 1;
            var nameLength = reader.ValueSpan.Length;
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            reader.Skip();
            into.Add(new Property(nameStart, nameLength, valueStart, (int)reader.BytesConsumed - valueStart));
        }
    }

    /// <summary>Where <paramref name="name"/> is in <paramref name="properties"/>; the same position is tried first (one type, one order).</summary>
    private static int IndexOf(ReadOnlySpan<byte> json, List<Property> properties, ReadOnlySpan<byte> name, int hint)
    {
        if (hint < properties.Count && json.Slice(properties[hint].NameStart, properties[hint].NameLength).SequenceEqual(name))
        {
            return hint;
        }

        for (var i = 0; i < properties.Count; i++)
        {
            if (json.Slice(properties[i].NameStart, properties[i].NameLength).SequenceEqual(name))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsClockField(ReadOnlySpan<byte> name)
    {
        foreach (var field in s_clockFields)
        {
            if (name.SequenceEqual(field))
            {
                return true;
            }
        }

        return false;
    }

    private readonly record struct Property(int NameStart, int NameLength, int ValueStart, int ValueLength);
}
