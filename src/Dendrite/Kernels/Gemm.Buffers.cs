using System.Runtime.InteropServices;

namespace Dendrite.Kernels;

// The per-thread native buffers the packed and unpacked paths work in.
internal static unsafe partial class Gemm
{
    /// <summary>
    /// One set of 64-byte-aligned packing buffers per thread, grown on demand and reused, so a steady-state
    /// call allocates nothing. The finalizer returns the native memory when the thread goes away.
    /// </summary>
    private sealed class Buffers
    {
        [ThreadStatic] private static Buffers? current;

        private float* packA, packB, row, vector, steps, partials;
        private nint packALength, packBLength, rowLength, vectorLength, stepsLength, partialsLength;

        public static Buffers Current => current ??= new Buffers();

        public float* Tile { get; } = Allocate(MaxMR * MaxNR);
        public float* TileBias { get; } = Allocate(MaxNR);

        public float* PackA(nint length) => Ensure(ref packA, ref packALength, length);
        public float* PackB(nint length) => Ensure(ref packB, ref packBLength, length);
        public float* Row(nint length) => Ensure(ref row, ref rowLength, length);
        public float* Vector(nint length) => Ensure(ref vector, ref vectorLength, length);
        public int* Steps(nint length) => (int*)Ensure(ref steps, ref stepsLength, length);
        public float* Partials(nint length) => Ensure(ref partials, ref partialsLength, length);

        private static float* Ensure(ref float* buffer, ref nint capacity, nint length)
        {
            if (capacity >= length) return buffer;
            NativeMemory.AlignedFree(buffer);
            buffer = null;
            capacity = 0;
            buffer = Allocate(length);
            capacity = length;
            return buffer;
        }

        private static float* Allocate(nint length) =>
            (float*)NativeMemory.AlignedAlloc((nuint)(length + 16) * sizeof(float), 64);

        ~Buffers()
        {
            NativeMemory.AlignedFree(packA);
            NativeMemory.AlignedFree(packB);
            NativeMemory.AlignedFree(row);
            NativeMemory.AlignedFree(vector);
            NativeMemory.AlignedFree(steps);
            NativeMemory.AlignedFree(partials);
            NativeMemory.AlignedFree(Tile);
            NativeMemory.AlignedFree(TileBias);
        }
    }
}
