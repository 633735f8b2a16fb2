namespace Inflight.Protocols.Translation;

/// <summary>
/// A request that cannot be translated without misleading the client (e.g. OpenAI <c>n</c> &gt; 1).
/// The gateway answers with <see cref="Status"/> and <see cref="Exception.Message"/> in the client's error format
/// (see <see cref="Errors.ErrorBody.ForStatus"/>).
/// </summary>
public sealed class TranslationException : Exception
{
    public TranslationException(int status, string message)
        : base(message)
    {
        Status = status;
    }

    public TranslationException()
        : this(400, "The request could not be translated.")
    {
    }

    public TranslationException(string message)
        : this(400, message)
    {
    }

    public TranslationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 400;
    }

    public int Status { get; }
}
