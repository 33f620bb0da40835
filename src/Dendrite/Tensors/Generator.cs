using System.Numerics;

namespace Dendrite.Tensors;

/// <summary>
/// A seedable pseudo-random number generator (xoshiro256**, seeded through SplitMix64). The same seed
/// gives the same numbers on every machine, runtime and thread count, because every random tensor is
/// filled sequentially from one stream. Like <c>torch.Generator</c>; <see cref="Default"/> plays the role
/// of PyTorch's global generator (<see cref="ManualSeed"/> = <c>torch.manual_seed</c>).
/// </summary>
public sealed class Generator
{
    private ulong s0, s1, s2, s3;
    private float? spareNormal;

    /// <summary>Creates a generator seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed = 0) => Seed(seed);

    /// <summary>The generator used when an operation is given none.</summary>
    public static Generator Default { get; } = new(0);

    /// <summary>Re-seeds the default generator, like <c>torch.manual_seed</c>.</summary>
    public static void ManualSeed(ulong seed) => Default.Seed(seed);

    /// <summary>Resets this generator to the start of the stream for <paramref name="seed"/>.</summary>
    public void Seed(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
        spareNormal = null;
    }

    /// <summary>The full state, to save in a checkpoint and restore with <see cref="SetState"/>.</summary>
    public ulong[] GetState() =>
        [s0, s1, s2, s3, spareNormal.HasValue ? 1UL : 0UL, spareNormal.HasValue ? BitConverter.SingleToUInt32Bits(spareNormal.Value) : 0UL];

    /// <summary>Restores a state returned by <see cref="GetState"/>.</summary>
    public void SetState(ulong[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length != 6)
            throw new ArgumentException($"Generator: a state has 6 words, got {state.Length}");
        if ((state[0] | state[1] | state[2] | state[3]) == 0)
            throw new ArgumentException("Generator: the all-zero state is invalid for xoshiro256**");
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3]);
        spareNormal = state[4] != 0 ? BitConverter.UInt32BitsToSingle((uint)state[5]) : null;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = BitOperations.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [low, high), without modulo bias.</summary>
    public long NextInt64(long low, long high)
    {
        if (high <= low)
            throw new ArgumentException($"Generator: empty range [{low}, {high})");
        ulong range = (ulong)(high - low);
        ulong limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return low + (long)(r % range);
    }

    /// <summary>A standard normal sample (Box–Muller; the second value of each pair is kept for the next call).</summary>
    public float NextNormal()
    {
        if (spareNormal is float spare)
        {
            spareNormal = null;
            return spare;
        }
        double u1;
        do u1 = NextDouble(); while (u1 <= double.Epsilon);
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        double angle = 2.0 * Math.PI * u2;
        spareNormal = (float)(radius * Math.Sin(angle));
        return (float)(radius * Math.Cos(angle));
    }
}
