using System.Runtime.CompilerServices;
using Dendrite.Runtime;

namespace Dendrite.Kernels;

// The packed path: the GotoBLAS/BLIS loop nest over kc×nc blocks of B and mc×kc blocks of A, split into
// whole micro-tiles between threads, deep reductions cut into fixed slices, and B read in place where
// packing it would only add a pass.
internal static unsafe partial class Gemm
{
    private static void Packed(in Args g)
    {
        switch (g.Isa)
        {
            case GemmIsa.Avx512 when RoundUp(g.M, 8) <= RoundUp(g.M, 6): Packed<Avx512Kernel8>(in g); break;
            case GemmIsa.Avx512: Packed<Avx512Kernel>(in g); break;
            case GemmIsa.Avx2: Packed<Avx2Kernel>(in g); break;
            default: Packed<PortableKernel>(in g); break;
        }
    }

    private static void Packed<TK>(in Args g) where TK : struct, IMicroKernel
    {
        if (g.K >= SlicedMinDepth && (long)g.M * g.N <= SlicedMaxOutput && g.BRows == null && g.BPacked == null)
        {
            Sliced<TK>(in g);
            return;
        }
        int kc = BlockDepth(g.K);

        int threads = 2L * g.M * g.N * g.K >= ParallelMinFlops ? Threads.Count : 1;
        // Split the larger dimension of C, in whole micro-tiles so that edge tiles stay at the matrix edge.
        // With B packed beforehand nothing is packed twice when the rows are split (each thread packs only
        // its own rows of A), so rows are split whenever there are enough of them to share out evenly.
        bool splitN = g.BPacked != null ? (g.M + TK.MR - 1) / TK.MR < 4 * threads : g.N >= g.M;
        int units = splitN ? (g.N + TK.NR - 1) / TK.NR : (g.M + TK.MR - 1) / TK.MR;
        int tasks = Math.Max(1, Math.Min(threads, units));
        var job = new Job<TK> { G = g, Kc = kc, Tasks = tasks, Units = units, SplitN = splitN };
        if (tasks == 1) job.Execute(0);
        else WorkerPool.Run(tasks, ref job);
    }

    // kc depends on k alone (never on the thread split): it fixes where partial sums are rounded into C.
    private static int BlockDepth(int k)
    {
        int kBlocks = Math.Max(1, (int)Math.Round((double)k / KC));
        return (k + kBlocks - 1) / kBlocks;
    }

    /// <summary>
    /// A long reduction into a small C (a convolution's weight gradient, summed over every position of the
    /// batch: 6×25 over 50,176 for LeNet's first layer) has too few tiles to share between threads, so
    /// the depth is cut into slices of <see cref="SliceDepth"/> instead: each slice's product goes to its own
    /// buffer (on whichever thread) and the slices are added in order. Whether and where to slice depends on
    /// the shape alone, so the result is the same for any thread count and either FMA kernel.
    /// </summary>
    private static void Sliced<TK>(in Args g) where TK : struct, IMicroKernel
    {
        int slices = (g.K + SliceDepth - 1) / SliceDepth;
        nint size = (nint)g.M * g.N;
        var buf = Buffers.Current;
        float* partial = buf.Partials(slices * size);
        int threads = 2L * g.M * g.N * g.K >= ParallelMinFlops ? Threads.Count : 1;
        var job = new SliceJob<TK> { G = g, Slices = slices, Tasks = Math.Min(threads, slices), Partial = partial };
        if (job.Tasks == 1) job.Execute(0);
        else WorkerPool.Run(job.Tasks, ref job);

        float* acc = buf.Row(g.N);
        for (int i = 0; i < g.M; i++)
        {
            float* first = partial + (nint)i * g.N;
            new Span<float>(first, g.N).CopyTo(new Span<float>(acc, g.N));
            for (int sl = 1; sl < slices; sl++)
            {
                float* row = first + sl * size;
                for (int j = 0; j < g.N; j++) acc[j] += row[j];
            }
            FinishRow(in g, g.C + (nint)i * g.Ldc, 1, acc, g.N, g.Bias, 1);
        }
    }

    private struct SliceJob<TK> : IWorkItem where TK : struct, IMicroKernel
    {
        public Args G;
        public int Slices, Tasks;
        public float* Partial;

        public readonly void Execute(int index)
        {
            int s0 = (int)((long)Slices * index / Tasks), s1 = (int)((long)Slices * (index + 1) / Tasks);
            for (int sl = s0; sl < s1; sl++)
            {
                int p0 = sl * SliceDepth, depth = Math.Min(SliceDepth, G.K - p0);
                var gs = G;
                gs.A = G.TransA ? G.A + (nint)p0 * G.Lda : G.A + p0;
                gs.B = G.TransB ? G.B + p0 : G.B + (nint)p0 * G.Ldb;
                gs.K = depth;
                gs.C = Partial + sl * (nint)G.M * G.N;
                gs.Ldc = G.N;
                gs.Alpha = 1f;
                gs.Beta = 0f;
                gs.Bias = null;
                gs.Relu = false;
                Block<TK>(in gs, BlockDepth(depth), 0, G.M, 0, G.N);
            }
        }
    }

    private struct Job<TK> : IWorkItem where TK : struct, IMicroKernel
    {
        public Args G;
        public int Kc, Tasks, Units;
        public bool SplitN;

        public readonly void Execute(int index)
        {
            int u0 = (int)((long)Units * index / Tasks), u1 = (int)((long)Units * (index + 1) / Tasks);
            if (SplitN) Block<TK>(in G, Kc, 0, G.M, u0 * TK.NR, Math.Min(G.N, u1 * TK.NR));
            else Block<TK>(in G, Kc, u0 * TK.MR, Math.Min(G.M, u1 * TK.MR), 0, G.N);
        }
    }

    /// <summary>C[i0..i1, j0..j1] with the GotoBLAS loop nest; buffers are the calling thread's own.</summary>
    private static void Block<TK>(in Args g, int kc, int i0, int i1, int j0, int j1) where TK : struct, IMicroKernel
    {
        var buf = Buffers.Current;
        int ncMax = Math.Min(NC, RoundUp(j1 - j0, TK.NR));
        int mcMax = Math.Min(MC, RoundUp(i1 - i0, TK.MR));
        float* pb = buf.PackB((nint)kc * ncMax);
        float* pa = buf.PackA((nint)kc * mcMax);
        if (g.BRows != null && !g.TransB)
        {
            int* steps = buf.Steps(g.K);
            for (int p = 0; p < g.K - 1; p++) steps[p] = g.BRows[p + 1] - g.BRows[p];
            steps[g.K - 1] = 0;
        }
        for (int jc = j0; jc < j1; jc += NC)
        {
            int nb = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < g.K; pc += kc)
            {
                int kb = Math.Min(kc, g.K - pc);
                bool last = pc + kb >= g.K;
                // With one row panel of A, each panel of B is used once: copying it first would only add a
                // pass over B (a skinny 6×25·N convolution GEMM), so full panels are read where they are.
                // B given by row offsets is always read in place (the caller guarantees whole panels are readable).
                int directCols = g.TransB || g.BPacked != null ? 0
                    : g.BRows != null ? RoundUp(nb, TK.NR) : i1 - i0 <= TK.MR ? nb / TK.NR * TK.NR : 0;
                float* panels = pb;
                if (g.BPacked != null) panels = g.BPacked + (nint)pc * RoundUp(g.N, TK.NR) + (nint)jc * kb;
                else if (nb > directCols) PackB<TK>(in g, pc, kb, jc + directCols, nb - directCols, pb);
                for (int ic = i0; ic < i1; ic += MC)
                {
                    int mb = Math.Min(MC, i1 - ic);
                    PackA<TK>(in g, ic, mb, pc, kb, pa);
                    float* cBlock = g.C + (nint)ic * g.Ldc + jc;
                    float beta = pc == 0 ? g.Beta : 1f;
                    float* bias = last && g.Bias != null ? g.Bias + jc : null;
                    if (directCols > 0 && g.BRows != null)
                    {
                        var rows = new Panels<RowSteps>(g.B + g.BRows[pc] + jc, new RowSteps(buf.Steps(g.K) + pc), directCols, panels);
                        Macro<TK, RowSteps>(in g, buf, mb, nb, kb, pa, in rows, cBlock, beta, bias, last && g.Relu);
                    }
                    else
                    {
                        var rows = new Panels<Stride>(g.B + (nint)pc * g.Ldb + jc, new Stride(g.Ldb), directCols, panels);
                        Macro<TK, Stride>(in g, buf, mb, nb, kb, pa, in rows, cBlock, beta, bias, last && g.Relu);
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    /// <summary>
    /// Where one kc×nc block of op(B) is: its first DirectCols columns in place (starting at Direct, one row
    /// to the next by Step), the rest packed in NR-column panels.
    /// </summary>
    private readonly struct Panels<TS>(float* direct, TS step, int directCols, float* packed) where TS : struct, IRowStep
    {
        public readonly float* Direct = direct, Packed = packed;
        public readonly TS Step = step;
        public readonly int DirectCols = directCols;
    }

    /// <summary>How a micro-kernel moves from row p of B to row p + 1 (p counted from the block's first row).</summary>
    private interface IRowStep
    {
        nint Next(int p);
    }

    /// <summary>Rows a fixed distance apart: a packed panel (NR) or a matrix read in place (its row stride).</summary>
    private readonly struct Stride(nint ld) : IRowStep
    {
        private readonly nint ld = ld;

        public nint Next(int p) => ld;
    }

    /// <summary>Rows wherever a table puts them (<c>SgemmRows</c>): steps[p] = offset[p + 1] − offset[p].</summary>
    private readonly struct RowSteps(int* steps) : IRowStep
    {
        private readonly int* steps = steps;

        public nint Next(int p) => steps[p];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro<TK, TS>(in Args g, Buffers buf, int mb, int nb, int kb, float* pa, in Panels<TS> bs, float* c,
        float beta, float* bias, bool relu) where TK : struct, IMicroKernel where TS : struct, IRowStep
    {
        for (int jr = 0; jr < nb; jr += TK.NR)
        {
            int nr = Math.Min(TK.NR, nb - jr);
            float* biasJ = bias == null ? null : bias + jr;
            if (jr < bs.DirectCols)
                Column<TK, TS>(in g, buf, mb, nr, kb, pa, bs.Direct + jr, in bs.Step, c + jr, beta, biasJ, relu);
            else
                Column<TK, Stride>(in g, buf, mb, nr, kb, pa, bs.Packed + (nint)(jr - bs.DirectCols) * kb, new Stride(TK.NR),
                    c + jr, beta, biasJ, relu);
        }
    }

    /// <summary>One column of micro-tiles: the A panels of the block against B's columns at <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column<TK, TS>(in Args g, Buffers buf, int mb, int nr, int kb, float* pa, float* b, in TS step,
        float* c, float beta, float* bias, bool relu) where TK : struct, IMicroKernel where TS : struct, IRowStep
    {
        nint ldc = g.Ldc;
        float alpha = g.Alpha;
        for (int ir = 0; ir < mb; ir += TK.MR)
        {
            int mr = Math.Min(TK.MR, mb - ir);
            float* a = pa + (nint)ir * kb;
            float* cij = c + ir * ldc;
            if (mr == TK.MR && nr == TK.NR)
            {
                TK.Run(kb, a, b, in step, cij, ldc, alpha, beta, bias, relu);
                continue;
            }
            // Edge tile: the same kernel on a padded copy, so the arithmetic matches a full tile's.
            float* t = buf.Tile;
            float* tb = null;
            new Span<float>(t, TK.MR * TK.NR).Clear();
            if (beta != 0f)
                for (int r = 0; r < mr; r++)
                    for (int j = 0; j < nr; j++) t[r * TK.NR + j] = cij[r * ldc + j];
            if (bias != null)
            {
                tb = buf.TileBias;
                new Span<float>(tb, TK.NR).Clear();
                for (int j = 0; j < nr; j++) tb[j] = bias[j];
            }
            TK.Run(kb, a, b, in step, t, TK.NR, alpha, beta, tb, relu);
            for (int r = 0; r < mr; r++)
                for (int j = 0; j < nr; j++) cij[r * ldc + j] = t[r * TK.NR + j];
        }
    }
}
