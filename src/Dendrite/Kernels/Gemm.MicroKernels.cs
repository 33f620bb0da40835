using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

// The register-blocked micro-kernels, one per instruction set: AVX-512 (6×32 and 8×32), AVX2+FMA (6×16) and
// portable Vector128 (6×16). The AVX-512 and AVX2 kernels give every element of C the same FMAs in the same order.
internal static unsafe partial class Gemm
{
    /// <summary>
    /// One register-blocked micro-kernel: C[6×NR] = act(α·Σ_p a[p]·b[p] + β·C + bias) over a 6-row micro-panel
    /// of A (6 floats per p) and NR columns of B (NR floats per p; <c>step</c> says how far apart its rows are:
    /// NR in a packed panel, B's own row stride or row table when it is read in place), where act
    /// is ReLU (NaN propagates) when <c>relu</c> is set. The generic drivers are compiled once per kernel,
    /// with NR a constant.
    /// </summary>
    private interface IMicroKernel
    {
        static abstract int MR { get; }

        static abstract int NR { get; }

        static abstract void Run<TS>(int kc, float* a, float* b, in TS step, float* c, nint ldc, float alpha, float beta,
            float* bias, bool relu) where TS : struct, IRowStep;
    }

    /// <summary>
    /// 6×32 with AVX-512: 12 zmm accumulators (two FMA units of 4-cycle latency need 8 in flight), two B
    /// vectors and a broadcast per step, so 8 loads feed 12 FMAs. Per element of C it performs exactly the
    /// FMAs of <see cref="Avx2Kernel"/>, in the same order.
    /// </summary>
    private struct Avx512Kernel : IMicroKernel
    {
        public static int MR => 6;

        public static int NR => 32;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TS>(int kc, float* a, float* b, in TS step, float* c, nint ldc, float alpha, float beta,
            float* bias, bool relu) where TS : struct, IRowStep
        {
            // A local copy, so that the step stays in a register instead of being reloaded every iteration.
            var rows = step;
            // C rows are far apart (often in L3 or memory); fetching them now hides that latency behind the loop.
            for (int r = 0; r < MR; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 16);
                Sse.Prefetch0(c + r * ldc + 31);
            }
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++)
            {
                var b0 = Avx512F.LoadVector512(b);
                var b1 = Avx512F.LoadVector512(b + 16);
                var av = Vector512.Create(a[0]);
                c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
                c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
                av = Vector512.Create(a[1]);
                c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
                c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
                av = Vector512.Create(a[2]);
                c20 = Avx512F.FusedMultiplyAdd(av, b0, c20);
                c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
                av = Vector512.Create(a[3]);
                c30 = Avx512F.FusedMultiplyAdd(av, b0, c30);
                c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
                av = Vector512.Create(a[4]);
                c40 = Avx512F.FusedMultiplyAdd(av, b0, c40);
                c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
                av = Vector512.Create(a[5]);
                c50 = Avx512F.FusedMultiplyAdd(av, b0, c50);
                c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
                a += MR;
                b += rows.Next(p);
            }
            Store(c, c00, c01, alpha, beta, bias, relu);
            Store(c + ldc, c10, c11, alpha, beta, bias, relu);
            Store(c + 2 * ldc, c20, c21, alpha, beta, bias, relu);
            Store(c + 3 * ldc, c30, c31, alpha, beta, bias, relu);
            Store(c + 4 * ldc, c40, c41, alpha, beta, bias, relu);
            Store(c + 5 * ldc, c50, c51, alpha, beta, bias, relu);
        }

        // The epilogue in the order of Avx2Kernel's (α, then β·C as one FMA, then bias, then ReLU).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Store(float* c, Vector512<float> x0, Vector512<float> x1, float alpha, float beta,
            float* bias, bool relu)
        {
            if (alpha != 1f)
            {
                var va = Vector512.Create(alpha);
                x0 = Avx512F.Multiply(x0, va);
                x1 = Avx512F.Multiply(x1, va);
            }
            if (beta == 1f)
            {
                x0 = Avx512F.Add(x0, Avx512F.LoadVector512(c));
                x1 = Avx512F.Add(x1, Avx512F.LoadVector512(c + 16));
            }
            else if (beta != 0f)
            {
                var vb = Vector512.Create(beta);
                x0 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(c), vb, x0);
                x1 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(c + 16), vb, x1);
            }
            if (bias != null)
            {
                x0 = Avx512F.Add(x0, Avx512F.LoadVector512(bias));
                x1 = Avx512F.Add(x1, Avx512F.LoadVector512(bias + 16));
            }
            if (relu)
            {
                // max(0, x) returns x when x is NaN (vmaxps returns its second operand), so NaN propagates.
                x0 = Avx512F.Max(Vector512<float>.Zero, x0);
                x1 = Avx512F.Max(Vector512<float>.Zero, x1);
            }
            Avx512F.Store(c, x0);
            Avx512F.Store(c + 16, x1);
        }
    }

    /// <summary>
    /// 8×32 with AVX-512: 16 zmm accumulators, two B vectors and a broadcast per step (10 loads feed 16 FMAs).
    /// Used where C's rows are a multiple of 8 or round up to one no later than to a multiple of 6 (a batch
    /// of 64, 16 channels); per element of C the same FMAs in the same order as the 6-row kernels.
    /// </summary>
    private struct Avx512Kernel8 : IMicroKernel
    {
        public static int MR => 8;

        public static int NR => 32;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TS>(int kc, float* a, float* b, in TS step, float* c, nint ldc, float alpha, float beta,
            float* bias, bool relu) where TS : struct, IRowStep
        {
            // A local copy, so that the step stays in a register instead of being reloaded every iteration.
            var rows = step;
            for (int r = 0; r < 8; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 16);
                Sse.Prefetch0(c + r * ldc + 31);
            }
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
            for (int p = 0; p < kc; p++)
            {
                var b0 = Avx512F.LoadVector512(b);
                var b1 = Avx512F.LoadVector512(b + 16);
                var av = Vector512.Create(a[0]);
                c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
                c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
                av = Vector512.Create(a[1]);
                c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
                c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
                av = Vector512.Create(a[2]);
                c20 = Avx512F.FusedMultiplyAdd(av, b0, c20);
                c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
                av = Vector512.Create(a[3]);
                c30 = Avx512F.FusedMultiplyAdd(av, b0, c30);
                c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
                av = Vector512.Create(a[4]);
                c40 = Avx512F.FusedMultiplyAdd(av, b0, c40);
                c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
                av = Vector512.Create(a[5]);
                c50 = Avx512F.FusedMultiplyAdd(av, b0, c50);
                c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
                av = Vector512.Create(a[6]);
                c60 = Avx512F.FusedMultiplyAdd(av, b0, c60);
                c61 = Avx512F.FusedMultiplyAdd(av, b1, c61);
                av = Vector512.Create(a[7]);
                c70 = Avx512F.FusedMultiplyAdd(av, b0, c70);
                c71 = Avx512F.FusedMultiplyAdd(av, b1, c71);
                a += 8;
                b += rows.Next(p);
            }
            Avx512Kernel.Store(c, c00, c01, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + ldc, c10, c11, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 2 * ldc, c20, c21, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 3 * ldc, c30, c31, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 4 * ldc, c40, c41, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 5 * ldc, c50, c51, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 6 * ldc, c60, c61, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 7 * ldc, c70, c71, alpha, beta, bias, relu);
        }
    }

    /// <summary>
    /// 6×16 with AVX2+FMA: 12 accumulators, two B vectors and one broadcast fill 15 of the 16 ymm registers.
    /// </summary>
    private struct Avx2Kernel : IMicroKernel
    {
        public static int MR => 6;

        public static int NR => 16;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TS>(int kc, float* a, float* b, in TS step, float* c, nint ldc, float alpha, float beta,
            float* bias, bool relu) where TS : struct, IRowStep
        {
            // A local copy, so that the step stays in a register instead of being reloaded every iteration.
            var rows = step;
            // C rows are far apart (often in L3 or memory); fetching them now hides that latency behind the loop.
            for (int r = 0; r < MR; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 15);
            }
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++)
            {
                var b0 = Avx.LoadVector256(b);
                var b1 = Avx.LoadVector256(b + 8);
                var av = Avx.BroadcastScalarToVector256(a);
                c00 = Fma.MultiplyAdd(av, b0, c00);
                c01 = Fma.MultiplyAdd(av, b1, c01);
                av = Avx.BroadcastScalarToVector256(a + 1);
                c10 = Fma.MultiplyAdd(av, b0, c10);
                c11 = Fma.MultiplyAdd(av, b1, c11);
                av = Avx.BroadcastScalarToVector256(a + 2);
                c20 = Fma.MultiplyAdd(av, b0, c20);
                c21 = Fma.MultiplyAdd(av, b1, c21);
                av = Avx.BroadcastScalarToVector256(a + 3);
                c30 = Fma.MultiplyAdd(av, b0, c30);
                c31 = Fma.MultiplyAdd(av, b1, c31);
                av = Avx.BroadcastScalarToVector256(a + 4);
                c40 = Fma.MultiplyAdd(av, b0, c40);
                c41 = Fma.MultiplyAdd(av, b1, c41);
                av = Avx.BroadcastScalarToVector256(a + 5);
                c50 = Fma.MultiplyAdd(av, b0, c50);
                c51 = Fma.MultiplyAdd(av, b1, c51);
                a += MR;
                b += rows.Next(p);
            }
            Store(c, c00, c01, alpha, beta, bias, relu);
            Store(c + ldc, c10, c11, alpha, beta, bias, relu);
            Store(c + 2 * ldc, c20, c21, alpha, beta, bias, relu);
            Store(c + 3 * ldc, c30, c31, alpha, beta, bias, relu);
            Store(c + 4 * ldc, c40, c41, alpha, beta, bias, relu);
            Store(c + 5 * ldc, c50, c51, alpha, beta, bias, relu);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(float* c, Vector256<float> x0, Vector256<float> x1, float alpha, float beta,
            float* bias, bool relu)
        {
            if (alpha != 1f)
            {
                var va = Vector256.Create(alpha);
                x0 = Avx.Multiply(x0, va);
                x1 = Avx.Multiply(x1, va);
            }
            if (beta == 1f)
            {
                x0 = Avx.Add(x0, Avx.LoadVector256(c));
                x1 = Avx.Add(x1, Avx.LoadVector256(c + 8));
            }
            else if (beta != 0f)
            {
                var vb = Vector256.Create(beta);
                x0 = Fma.MultiplyAdd(Avx.LoadVector256(c), vb, x0);
                x1 = Fma.MultiplyAdd(Avx.LoadVector256(c + 8), vb, x1);
            }
            if (bias != null)
            {
                x0 = Avx.Add(x0, Avx.LoadVector256(bias));
                x1 = Avx.Add(x1, Avx.LoadVector256(bias + 8));
            }
            if (relu)
            {
                // max(0, x) returns x when x is NaN, so NaN propagates as in PyTorch.
                x0 = Avx.Max(Vector256<float>.Zero, x0);
                x1 = Avx.Max(Vector256<float>.Zero, x1);
            }
            Avx.Store(c, x0);
            Avx.Store(c + 8, x1);
        }
    }

    /// <summary>
    /// The same contract with Vector128 and separate multiply and add, for CPUs without AVX2/FMA. The 6×16
    /// tile is done as two 6×8 halves so that 12 accumulators fit in 16 registers.
    /// </summary>
    private struct PortableKernel : IMicroKernel
    {
        public static int MR => 6;

        public static int NR => 16;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TS>(int kc, float* a, float* b, in TS step, float* c, nint ldc, float alpha, float beta,
            float* bias, bool relu) where TS : struct, IRowStep
        {
            // A local copy, so that the step stays in a register instead of being reloaded every iteration.
            var rows = step;
            for (int h = 0; h < 16; h += 8)
            {
                Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
                Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
                float* ap = a;
                float* bp = b + h;
                for (int p = 0; p < kc; p++)
                {
                    var b0 = Vector128.Load(bp);
                    var b1 = Vector128.Load(bp + 4);
                    var av = Vector128.Create(ap[0]);
                    c00 += av * b0;
                    c01 += av * b1;
                    av = Vector128.Create(ap[1]);
                    c10 += av * b0;
                    c11 += av * b1;
                    av = Vector128.Create(ap[2]);
                    c20 += av * b0;
                    c21 += av * b1;
                    av = Vector128.Create(ap[3]);
                    c30 += av * b0;
                    c31 += av * b1;
                    av = Vector128.Create(ap[4]);
                    c40 += av * b0;
                    c41 += av * b1;
                    av = Vector128.Create(ap[5]);
                    c50 += av * b0;
                    c51 += av * b1;
                    ap += MR;
                    bp += rows.Next(p);
                }
                float* ch = c + h;
                float* bh = bias == null ? null : bias + h;
                Store(ch, c00, c01, alpha, beta, bh, relu);
                Store(ch + ldc, c10, c11, alpha, beta, bh, relu);
                Store(ch + 2 * ldc, c20, c21, alpha, beta, bh, relu);
                Store(ch + 3 * ldc, c30, c31, alpha, beta, bh, relu);
                Store(ch + 4 * ldc, c40, c41, alpha, beta, bh, relu);
                Store(ch + 5 * ldc, c50, c51, alpha, beta, bh, relu);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(float* c, Vector128<float> x0, Vector128<float> x1, float alpha, float beta,
            float* bias, bool relu)
        {
            if (alpha != 1f)
            {
                x0 *= alpha;
                x1 *= alpha;
            }
            if (beta == 1f)
            {
                x0 += Vector128.Load(c);
                x1 += Vector128.Load(c + 4);
            }
            else if (beta != 0f)
            {
                x0 += Vector128.Load(c) * beta;
                x1 += Vector128.Load(c + 4) * beta;
            }
            if (bias != null)
            {
                x0 += Vector128.Load(bias);
                x1 += Vector128.Load(bias + 4);
            }
            if (relu)
            {
                // Select rather than Max: NaN must propagate, and Max's NaN behaviour varies by platform.
                x0 = Vector128.ConditionalSelect(Vector128.LessThan(x0, Vector128<float>.Zero), Vector128<float>.Zero, x0);
                x1 = Vector128.ConditionalSelect(Vector128.LessThan(x1, Vector128<float>.Zero), Vector128<float>.Zero, x1);
            }
            x0.Store(c);
            x1.Store(c + 4);
        }
    }
}
