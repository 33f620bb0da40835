namespace Dendrite.Runtime;

/// <summary>
/// How many threads Dendrite's kernels may use (the calling thread included). The default is the
/// <c>DENDRITE_NUM_THREADS</c> environment variable when it holds a positive integer, otherwise
/// <see cref="Environment.ProcessorCount"/>. Results do not depend on this setting: every kernel fixes its
/// order of arithmetic independently of how the work is split.
/// </summary>
public static class Threads
{
    private static int count = DefaultCount();

    /// <summary>The number of threads kernels may use; at least 1. Takes effect on the next operation.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int Count
    {
        get => Volatile.Read(ref count);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref count, value);
        }
    }

    private static int DefaultCount()
    {
        var env = Environment.GetEnvironmentVariable("DENDRITE_NUM_THREADS");
        return int.TryParse(env, out int n) && n >= 1 ? n : Math.Max(1, Environment.ProcessorCount);
    }
}
