using Dendrite.Runtime;

namespace Dendrite.Kernels;

/// <summary>
/// The three gradients of y = x·Wᵀ + b for x [n, in], W [out, in] and dY [n, out]: dX = dY·W, dW = β·dW + dYᵀ·x
/// (written in W's own [out, in] layout) and db = Σ_rows dY. Each is the GEMM or column sum it would be on
/// its own; what this adds is running them side by side.
/// </summary>
/// <remarks>
/// In a small network's backward pass dX and dW are two products of the same size (128×256 by 64 for the
/// MLP's middle layer: 4 MFLOP each, ~40 µs on one core). Split over two cores, each product is a pool job of
/// its own (a hand-off and a wait each) and both threads pack the whole shared operand; one product per core
/// needs a single hand-off and packs nothing twice, and the bias sum runs beside them instead of after. So with
/// two threads, or when the products are small enough that splitting them over many threads would gain
/// little, the three reductions run as three tasks of one pool job, each computed single-threaded exactly as
/// alone: results are bitwise those of the sequential path, for any thread count.
/// </remarks>
internal static unsafe class LinearGradients
{
    // Below this much work in all (2·n·in·out flops per product), even a spinning worker's hand-off costs
    // about what running the products side by side would save.
    private const long MinConcurrentFlops = 1_000_000;
    // With more than two threads, a product at least this large is better split over all of them.
    private const long MaxConcurrentFlops = 16_000_000;

    /// <summary>
    /// Computes the gradients whose destinations are not empty: <paramref name="dx"/> [n, in],
    /// <paramref name="dw"/> [out, in] (scaled by <paramref name="betaW"/> first: 0 overwrites it, 1 adds),
    /// <paramref name="db"/> [out].
    /// </summary>
    public static void Compute(int n, int inFeatures, int outFeatures, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
        ReadOnlySpan<float> w, Span<float> dx, Span<float> dw, float betaW, Span<float> db)
    {
        long flops = 2L * n * inFeatures * outFeatures;
        int threads = Threads.Count;
        bool concurrent = !dx.IsEmpty && !dw.IsEmpty && threads >= 2 && 2 * flops >= MinConcurrentFlops
            && (threads == 2 || flops < MaxConcurrentFlops);
        if (!concurrent)
        {
            if (!dx.IsEmpty) InputGradient(n, inFeatures, outFeatures, dy, w, dx);
            if (!dw.IsEmpty) WeightGradient(n, inFeatures, outFeatures, dy, x, dw, betaW);
            if (!db.IsEmpty) Reduce.Sum(dy, 1, n, outFeatures, db);
            return;
        }
        // A GEMM that rejects its views throws inside its task; the pool rethrows that on this thread.
        fixed (float* pdy = dy, px = x, pw = w, pdx = dx, pdw = dw, pdb = db)
        {
            var job = new Job
            {
                N = n, In = inFeatures, Out = outFeatures, Dy = pdy, DyLength = dy.Length, X = px, XLength = x.Length, W = pw,
                WLength = w.Length, Dx = pdx, DxLength = dx.Length, Dw = pdw, DwLength = dw.Length, BetaW = betaW, Db = pdb,
                DbLength = db.Length,
            };
            // dW first: on the calling thread when the worker is late, which is then free to take the rest.
            WorkerPool.Run(db.IsEmpty ? 2 : 3, ref job);
        }
    }

    private static void InputGradient(int n, int inFeatures, int outFeatures, ReadOnlySpan<float> dy, ReadOnlySpan<float> w,
        Span<float> dx) =>
        Gemm.Sgemm(false, false, n, inFeatures, outFeatures, 1f, dy, outFeatures, w, inFeatures, 0f, dx, inFeatures);

    private static void WeightGradient(int n, int inFeatures, int outFeatures, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
        Span<float> dw, float betaW) =>
        Gemm.Sgemm(true, false, outFeatures, inFeatures, n, 1f, dy, outFeatures, x, inFeatures, betaW, dw, inFeatures);

    private struct Job : IWorkItem
    {
        public int N, In, Out, DyLength, XLength, WLength, DxLength, DwLength, DbLength;
        public float* Dy, X, W, Dx, Dw, Db;
        public float BetaW;

        public readonly void Execute(int index)
        {
            var dy = new ReadOnlySpan<float>(Dy, DyLength);
            // Inside a pool task the GEMMs' own parallel jobs run inline (WorkerPool.Run nests that way).
            switch (index)
            {
                case 0: WeightGradient(N, In, Out, dy, new ReadOnlySpan<float>(X, XLength), new Span<float>(Dw, DwLength), BetaW); break;
                case 1: InputGradient(N, In, Out, dy, new ReadOnlySpan<float>(W, WLength), new Span<float>(Dx, DxLength)); break;
                default: Reduce.Sum(dy, 1, N, Out, new Span<float>(Db, DbLength)); break;
            }
        }
    }
}
