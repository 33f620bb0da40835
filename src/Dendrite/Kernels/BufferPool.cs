namespace Dendrite.Kernels;

/// <summary>
/// Recycles float arrays by exact length. Training repeats the same shapes every step, so after the first
/// step every intermediate buffer comes from here instead of the garbage collector. Arrays handed out are
/// zero-filled unless the caller will overwrite every element anyway. The pool holds at most <see cref="CapacityBytes"/>; beyond that returned arrays are left
/// to the GC. Thread-safe (tensors may be released on any thread).
/// </summary>
internal static class BufferPool
{
    public const long CapacityBytes = 512L * 1024 * 1024;

    private static readonly Dictionary<int, Stack<float[]>> Buckets = [];
    private static readonly Lock Gate = new();
    private static long pooledBytes;

    /// <summary>
    /// An array of exactly <paramref name="length"/> elements, zero-filled unless <paramref name="clear"/> is
    /// false: then it holds whatever it held before, for callers that overwrite every element (zeroing an
    /// im2col buffer or a GEMM output only to overwrite it costs as much as filling it).
    /// </summary>
    public static float[] Rent(int length, bool clear = true)
    {
        if (length == 0) return [];
        float[]? array = null;
        lock (Gate)
        {
            if (Buckets.TryGetValue(length, out var bucket) && bucket.Count > 0)
            {
                array = bucket.Pop();
                pooledBytes -= (long)length * sizeof(float);
            }
        }
        if (array is null) return clear ? new float[length] : GC.AllocateUninitializedArray<float>(length);
        if (clear) Array.Clear(array);
        return array;
    }

    /// <summary>Gives an array back for reuse; the caller must hold no other reference to it.</summary>
    public static void Return(float[] array)
    {
        if (array.Length == 0) return;
        long bytes = (long)array.Length * sizeof(float);
        lock (Gate)
        {
            if (pooledBytes + bytes > CapacityBytes) return;
            if (!Buckets.TryGetValue(array.Length, out var bucket)) Buckets[array.Length] = bucket = new Stack<float[]>();
            bucket.Push(array);
            pooledBytes += bytes;
        }
    }

    /// <summary>Bytes currently held for reuse (for tests and diagnostics).</summary>
    public static long PooledBytes
    {
        get
        {
            lock (Gate) return pooledBytes;
        }
    }
}
