namespace Inflight.Protocols.Sse;

/// <summary>Receives the events an <see cref="SseEventReader"/> finds, as views over its own buffer.</summary>
/// <remarks>The spans are valid only for the duration of the call; copy what must outlive it.</remarks>
public interface ISseEventHandler
{
    /// <param name="eventType">The <c>event:</c> field, empty when the event had none (SSE's default "message").</param>
    /// <param name="data">The <c>data:</c> lines joined with '\n'.</param>
    void OnEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data);
}
