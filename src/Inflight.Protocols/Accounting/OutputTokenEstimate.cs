namespace Inflight.Protocols.Accounting;

/// <summary>
/// The running output estimate of one stream. Fragments are weighed and summed before rounding, so
/// many one-word deltas are not each rounded up to a whole token; each <see cref="Add"/> returns the
/// tokens to report now so that the reported sum always equals the rounded-up total so far.
/// </summary>
internal struct OutputTokenEstimate
{
    private long _units;
    private long _reported;

    /// <summary>Adds weight (see <see cref="TokenEstimator"/>); returns the newly estimated whole tokens.</summary>
    public int Add(long units)
    {
        if (units <= 0)
        {
            return 0;
        }

        _units += units;
        var total = (_units + TokenEstimator.UnitsPerToken - 1) / TokenEstimator.UnitsPerToken;
        var delta = total - _reported;
        _reported = total;
        return (int)Math.Min(int.MaxValue, delta);
    }
}
