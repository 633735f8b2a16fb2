namespace Inflight.Tracking;

/// <summary>Fixed-size ring that keeps the newest items. Not thread-safe: the tracker guards it with its lock.</summary>
internal sealed class RecentRing<T>(int capacity)
    where T : class
{
    private readonly T[] _items = new T[Math.Max(0, capacity)];
    private int _next;
    private int _count;

    public int Capacity => _items.Length;

    public int Count => _count;

    public void Add(T item)
    {
        if (_items.Length == 0)
        {
            return;
        }

        _items[_next] = item;
        _next = (_next + 1) % _items.Length;
        if (_count < _items.Length)
        {
            _count++;
        }
    }

    /// <summary>The newest item that matches, or null.</summary>
    public T? FindNewest(Func<T, bool> match)
    {
        var index = _next;
        for (var i = 0; i < _count; i++)
        {
            index = index == 0 ? _items.Length - 1 : index - 1;
            if (match(_items[index]))
            {
                return _items[index];
            }
        }

        return null;
    }

    /// <summary>Up to <paramref name="limit"/> items, newest first.</summary>
    public T[] ToArrayNewestFirst(int limit)
    {
        var n = Math.Clamp(limit, 0, _count);
        var result = new T[n];
        var index = _next;
        for (var i = 0; i < n; i++)
        {
            index = index == 0 ? _items.Length - 1 : index - 1;
            result[i] = _items[index];
        }

        return result;
    }
}
