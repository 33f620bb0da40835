using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Dendrite.Runtime;

namespace Dendrite.Kernels;

/// <summary>The shapes of one 2-d convolution over a batch: input [N, C, H, W], weight [O, C/groups, kh, kw].</summary>
internal readonly struct ConvGeometry(int n, int c, int h, int w, int o, int groups, Window2d win)
{
    public readonly int N = n, C = c, H = h, W = w, O = o, Groups = groups;
    public readonly Window2d Win = win;
    public readonly int OutH = win.OutputH(h), OutW = win.OutputW(w);
    public int P => OutH * OutW;
    public int Cg => C / Groups;
    public int Og => O / Groups;
    /// <summary>Rows of one group's im2col matrix: C/groups·kh·kw.</summary>
    public int K => Cg * Win.KernelH * Win.KernelW;

    /// <summary>
    /// Stride 1: the im2col matrix is the padded input read through a table of row offsets, never written
    /// (<see cref="Conv.PadForImplicitIm2Col"/>), forward and for the weight gradient.
    /// </summary>
    public bool Implicit => Win.StrideH == 1 && Win.StrideW == 1;

    /// <summary>The row pitch of the implicit im2col's padded input (<see cref="Conv.ImplicitPitch"/>).</summary>
    public int Pitch => Conv.ImplicitPitch(W, Win);

    /// <summary>
    /// Whether the forward pass of a stride-1 convolution reads its padded input in place (the implicit im2col)
    /// rather than writing im2col columns: when the Wp − outW wrapped columns it computes and discards on every
    /// output row but the last cost less than writing the columns would. They are a fifth of an 8×8 map
    /// padded by one but a twentieth of a 32×32 map, and writing the columns costs 1/og of the GEMM. So the
    /// columns are written only where the waste passes 15% and there are at least 32 output channels per group
    /// (the cnn workload's 8×8 layers: about 20% faster; LeNet's second layer, og = 16: slower, so it stays).
    /// Both paths give the same bits.
    /// </summary>
    public bool ImplicitForward => Implicit &&
        (Og < ColumnsMinChannels || (long)(OutH - 1) * (W + Win.PadLeft + Win.PadRight) + OutW <= 1.15 * P);

    /// <summary>The fewest output channels per group for which writing im2col columns pays (see <see cref="ImplicitForward"/>).</summary>
    internal const int ColumnsMinChannels = 32;

    /// <summary>
    /// Stride 1 with no side padded by more than the dilated kernel's reach: the input gradient is then itself
    /// a stride-1 convolution of dY (padded by d·(k−1) − pad) with the flipped kernel, and runs as one.
    /// </summary>
    public bool ImplicitBackward => Implicit
        && Win.PadTop <= Win.DilationH * (Win.KernelH - 1) && Win.PadBottom <= Win.DilationH * (Win.KernelH - 1)
        && Win.PadLeft <= Win.DilationW * (Win.KernelW - 1) && Win.PadRight <= Win.DilationW * (Win.KernelW - 1);
}

/// <summary>
/// Batch drivers for convolution and pooling. Work is split by whole images over the worker pool; each
/// image's arithmetic is the same whichever thread runs it (the per-image GEMMs are called from inside a
/// task, so they run on that thread), so results are bitwise identical for any thread count.
/// </summary>
/// <remarks>
/// The forward pass runs one GEMM per image and group, W_g [og, k] · col [k, P], writing straight into
/// the image's [og, P] block of the NCHW output: no [O, N·P] product to scatter afterwards, and the im2col
/// columns are still in cache when the GEMM reads them. The input gradient is likewise one GEMM per image,
/// W_gᵀ · dY, reading dY in place, followed by col2im. Only the weight gradient needs the whole batch in
/// one GEMM (its reduction runs over N·P), so it gathers dY to [O, N·P] once.
/// </remarks>
internal static unsafe class ConvBatch
{
    // Below about this many multiply-adds, waking a worker costs more than it saves.
    private const long ParallelMinWork = 250_000;

    [ThreadStatic] private static float[]? scratch, flipped, unpooled, transposedWeights;
    [ThreadStatic] private static int[]? offsets;

    // Per-thread working memory for one image's im2col or col2im columns; pinned, so it can be held as a pointer.
    private static float* Scratch(int length) => Pinned(ref scratch, length);

    private static float* Pinned(ref float[]? buffer, int length)
    {
        var s = buffer;
        if (s is null || s.Length < length) buffer = s = GC.AllocateUninitializedArray<float>(Math.Max(length, 4096), pinned: true);
        return (float*)Unsafe.AsPointer(ref s[0]);
    }

    private static int* Offsets(int length)
    {
        var o = offsets;
        if (o is null || o.Length < length) offsets = o = GC.AllocateUninitializedArray<int>(Math.Max(length, 256), pinned: true);
        return (int*)Unsafe.AsPointer(ref o[0]);
    }

    private static int TaskCount(int images, long work) =>
        work < ParallelMinWork ? 1 : Math.Max(1, Math.Min(images, Threads.Count));

    private static void Run<T>(int tasks, ref T job) where T : unmanaged, IWorkItem
    {
        if (tasks == 1) job.Execute(0);
        else WorkerPool.Run(tasks, ref job);
    }

    // Images [s0, s1) of task t out of tasks: contiguous ranges, so each task streams through its own memory.
    private static (int S0, int S1) Range(int n, int tasks, int t) => ((int)((long)n * t / tasks), (int)((long)n * (t + 1) / tasks));

    /// <summary>
    /// y = conv(x, w) + bias for the whole batch, then max(y, 0) if <paramref name="relu"/> (in the same pass,
    /// while each image's output is in cache), then, with <paramref name="maxPool"/>, max pooling over that
    /// window image by image (y is then the pooled map; the unpooled one never leaves a per-thread buffer). With <paramref name="col"/> non-empty ([groups, k, N·P])
    /// the im2col columns are kept there for the backward pass; otherwise each thread uses one image's worth
    /// of scratch. <paramref name="y"/> need not be initialised.
    /// </summary>
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, Span<float> col, bool relu = false, Window2d? maxPool = null)
    {
        if (g.N == 0 || g.P == 0) return;
        fixed (float* px = x, pw = w, pb = bias, py = y, pc = col)
        {
            var job = new ForwardJob
            {
                G = g, X = px, Wt = pw, Bias = bias.IsEmpty ? null : pb, Y = py, Col = col.IsEmpty ? null : pc, Relu = relu,
                Pooled = maxPool.HasValue, Pool = maxPool.GetValueOrDefault(),
            };
            job.Tasks = TaskCount(g.N, (long)g.N * g.O * g.K * g.P);
            Run(job.Tasks, ref job);
        }
    }

    private struct ForwardJob : IWorkItem
    {
        public ConvGeometry G;
        public float* X, Wt, Bias, Y, Col;
        public int Tasks;
        public bool Relu, Pooled;
        public Window2d Pool;

        /// <summary>
        /// Where image s, group gi's output rows go: straight into Y, or, when it is max-pooled, into this
        /// thread's one-image buffer, from which <see cref="Pooling"/> pools it into Y.
        /// </summary>
        private readonly float* OutputOf(int s, int gi) =>
            Pooled ? Pinned(ref unpooled, G.Og * G.P) : Y + ((nint)s * G.O + gi * G.Og) * G.P;

        private readonly void Pooling(int s, int gi)
        {
            if (!Pooled) return;
            int ph = Pool.OutputH(G.OutH), pw = Pool.OutputW(G.OutW);
            Conv.MaxPool(Pinned(ref unpooled, G.Og * G.P), G.Og, G.OutH, G.OutW, Pool,
                Y + ((nint)s * G.O + gi * G.Og) * ph * pw, null);
        }

        public readonly void Execute(int t)
        {
            if (Col == null && G.ImplicitForward) ExecuteImplicit(t);
            else ExecuteIm2Col(t);
        }

        /// <summary>
        /// Stride 1 with no columns to keep: no im2col at all. Per image and group, the padded input is the
        /// column matrix read in place through a table of row offsets, the GEMM computes [og, outH·Wp] (Wp − outW
        /// wrapped columns per output row are computed and dropped), and bias and ReLU are applied as each
        /// output row is copied out.
        /// </summary>
        private readonly void ExecuteImplicit(int t)
        {
            var (s0, s1) = Range(G.N, Tasks, t);
            int k = G.K, og = G.Og, cg = G.Cg, hw = G.H * G.W, outH = G.OutH, outW = G.OutW;
            int hp = G.H + G.Win.PadTop + G.Win.PadBottom, wp = G.Pitch;
            int padded = cg * hp * wp, n = (outH - 1) * wp + outW;
            // Few output channels: the direct kernel, whose product rows are ld ≥ n apart, on weights transposed
            // once per task; otherwise the implicit GEMM. Either reads up to its width past n, plus the right
            // padding folded into the pitch.
            bool direct = ConvDirect.Takes(G);
            int ld = direct ? ConvDirect.Width(n) : n, readPast = Math.Max(Gemm.RowsReadPast, ld - n) + G.Win.PadRight;
            float* image = Scratch(padded + readPast + og * ld);
            float* product = image + padded + readPast;
            int* offsets = Offsets(2 * k);
            // What the GEMM or the direct kernel reads past the image only reaches the discarded columns; keep it finite anyway.
            new Span<float>(image + padded, readPast).Clear();
            float* wt = null;
            if (direct)
            {
                wt = Pinned(ref transposedWeights, G.O * k);
                for (int gi = 0; gi < G.Groups; gi++)
                    ConvDirect.Transpose(Wt + (nint)gi * og * k, G, wt + (nint)gi * og * k);
            }
            for (int s = s0; s < s1; s++)
                for (int gi = 0; gi < G.Groups; gi++)
                {
                    Conv.PadForImplicitIm2Col(X + ((nint)s * G.C + gi * cg) * hw, cg, G.H, G.W, G.Win, image, offsets);
                    if (direct) ConvDirect.Forward(G, n, wt + (nint)gi * og * k, image, offsets, offsets + k, product, ld);
                    else Gemm.SgemmRows(false, og, n, k, 1f, Wt + (nint)gi * og * k, k, image, offsets, 0f, product, n, null, false);
                    float* output = OutputOf(s, gi);
                    for (int o = 0; o < og; o++)
                    {
                        float* yRow = output + (nint)o * G.P;
                        float bias = Bias != null ? Bias[gi * og + o] : 0f;
                        for (int y = 0; y < outH; y++)
                            Finish(product + (nint)o * ld + (nint)y * wp, yRow + (nint)y * outW, outW, bias, Relu);
                    }
                    Pooling(s, gi);
                }
        }

        private readonly void ExecuteIm2Col(int t)
        {
            var (s0, s1) = Range(G.N, Tasks, t);
            int k = G.K, p = G.P, og = G.Og, cg = G.Cg, hw = G.H * G.W;
            int chunk = ImagesPerGemm(k, p);
            // Per thread: the chunk's im2col columns (unless the caller keeps them in Col) and its [og, chunk·P] product.
            float* own = Scratch((Col == null ? k * chunk * p : 0) + og * chunk * p);
            float* product = Col == null ? own + (nint)k * chunk * p : own;
            for (int c0 = s0; c0 < s1; c0 += chunk)
            {
                int images = Math.Min(chunk, s1 - c0), n = images * p;
                for (int gi = 0; gi < G.Groups; gi++)
                {
                    nint ld = Col != null ? (nint)G.N * p : n;
                    float* colG = Col != null ? Col + (nint)gi * k * ld + (nint)c0 * p : own;
                    for (int s = c0; s < c0 + images; s++)
                        Conv.Im2Col(X + ((nint)s * G.C + gi * cg) * hw, cg, G.H, G.W, G.Win, colG + (nint)(s - c0) * p, ld);
                    Gemm.SgemmPacked(og, n, k, 1f, Wt + (nint)gi * og * k, k, colG, (int)ld, 0f, product, n, null, false);
                    // The product is [og, images·P]; each image's rows go to its NCHW block, bias and ReLU on the way.
                    for (int s = c0; s < c0 + images; s++)
                    {
                        float* output = OutputOf(s, gi);
                        for (int o = 0; o < og; o++)
                            Finish(product + (nint)o * n + (nint)(s - c0) * p, output + (nint)o * p, p,
                                Bias != null ? Bias[gi * og + o] : 0f, Relu);
                        Pooling(s, gi);
                    }
                }
            }
        }
    }

    /// <summary>
    /// How many images share one forward GEMM: enough that its N = images·P fills the micro-tiles and pays
    /// for packing once, few enough that their im2col columns (about 256 KiB) stay in L2. The GEMM is
    /// <c>Gemm.SgemmPacked</c>, which gives every element of the product the same arithmetic whatever
    /// the chunk's width, so neither this nor the thread split changes a result.
    /// </summary>
    private static int ImagesPerGemm(int k, int p) => Math.Max(1, 65536 / Math.Max(1, k * p));

    // y = relu?(x + bias) over one row; the ReLU is ReluOp's arithmetic, so fused and separate layers agree bit for bit.
    // Rows of 8 or more end on a vector that overlaps the one before (x and y never overlap, so the elements it
    // writes twice get the same value): LeNet's rows are 10, 14 and 28 wide, and a scalar tail cost as much as the
    // vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float* x, float* y, int count, float bias, bool relu)
    {
        var op = default(ReluOp);
        var b = Vector256.Create(bias);
        int i = 0;
        if (count >= 8)
            for (; ; i += 8)
            {
                if (i > count - 8) i = count - 8;
                var v = Vector256.Load(x + i) + b;
                Vector256.Store(relu ? op.Invoke(v) : v, y + i);
                if (i == count - 8) return;
            }
        for (; i < count; i++)
        {
            float v = x[i] + bias;
            y[i] = relu ? op.Invoke(v) : v;
        }
    }

    /// <summary>
    /// dx for dy: as the stride-1 convolution of dY with the flipped kernel where the geometry allows
    /// (<see cref="ConvGeometry.ImplicitBackward"/>), else col2im(Wᵀ · dY) per image. <paramref name="dx"/>
    /// need not be initialised.
    /// </summary>
    public static void BackwardInput(in ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        if (g.N == 0) return;
        if (g.ImplicitBackward)
        {
            BackwardInputAsConvolution(in g, dy, w, dx);
            return;
        }
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            var job = new BackwardInputJob { G = g, Dy = pdy, Wt = pw, Dx = pdx };
            job.Tasks = TaskCount(g.N, (long)g.N * g.O * g.K * g.P);
            Run(job.Tasks, ref job);
        }
    }

    private struct BackwardInputJob : IWorkItem
    {
        public ConvGeometry G;
        public float* Dy, Wt, Dx;
        public int Tasks;

        public readonly void Execute(int t)
        {
            var (s0, s1) = Range(G.N, Tasks, t);
            int k = G.K, p = G.P, og = G.Og, cg = G.Cg, hw = G.H * G.W;
            float* dcol = Scratch(k * p);
            for (int s = s0; s < s1; s++)
                for (int gi = 0; gi < G.Groups; gi++)
                {
                    float* dxG = Dx + ((nint)s * G.C + gi * cg) * hw;
                    new Span<float>(dxG, cg * hw).Clear();
                    if (p == 0) continue;
                    Gemm.Sgemm(true, false, k, p, og, 1f, new ReadOnlySpan<float>(Wt + (nint)gi * og * k, og * k), k,
                        new ReadOnlySpan<float>(Dy + ((nint)s * G.O + gi * og) * p, og * p), p, 0f, new Span<float>(dcol, k * p), p);
                    Conv.Col2Im(dcol, cg, G.H, G.W, G.Win, dxG, p);
                }
        }
    }

    /// <summary>
    /// dX[s, c, y, x] = Σ_{o,i,j} W[o, c, i, j]·dY[s, o, y + pt − i·dh, x + pl − j·dw]: a stride-1 convolution
    /// of dY, padded by d·(k−1) − pad on each side, with W' [groups][C/groups, O/groups, kh, kw],
    /// W'[c, o, i, j] = W[o, c, kh−1−i, kw−1−j] — so it runs on the forward pass's implicit path.
    /// </summary>
    private static void BackwardInputAsConvolution(in ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        var win = g.Win;
        int kh = win.KernelH, kw = win.KernelW, og = g.Og, cg = g.Cg, taps = kh * kw;
        int reachH = win.DilationH * (kh - 1), reachW = win.DilationW * (kw - 1);
        var transposed = new Window2d(kh, kw, 1, 1, win.DilationH, win.DilationW,
            reachH - win.PadTop, reachW - win.PadLeft, reachH - win.PadBottom, reachW - win.PadRight);
        var gt = new ConvGeometry(g.N, g.O, g.OutH, g.OutW, g.C, g.Groups, transposed);
        // Kept apart from Scratch, which the calling thread's share of the convolution below uses.
        float* wf = Pinned(ref flipped, g.O * cg * taps);
        fixed (float* pw = w)
            for (int gi = 0; gi < g.Groups; gi++)
                for (int o = 0; o < og; o++)
                    for (int c = 0; c < cg; c++)
                    {
                        float* src = pw + ((nint)(gi * og + o) * cg + c) * taps;
                        float* dst = wf + ((nint)(gi * cg + c) * og + o) * taps;
                        for (int t = 0; t < taps; t++) dst[t] = src[taps - 1 - t];
                    }
        Forward(gt, dy, new ReadOnlySpan<float>(wf, g.O * cg * taps), default, dx, default);
    }

    /// <summary>How many floats of scratch <see cref="WeightGradImplicit"/> needs for its partial sums.</summary>
    public static int WeightGradScratch(in ConvGeometry g) => PartialCount(g) * PartialSize(g);

    /// <summary>
    /// Whether <see cref="WeightGradImplicit"/> multiplies explicit im2col columns of a group of images (one GEMM
    /// per partial, its reduction over their N·P pixels) rather than taking dot products over the padded input
    /// in place. The dot products end in a horizontal sum per output element, as costly as the products
    /// themselves when a map has a few hundred pixels; writing the columns costs 1/og of the GEMM. So small
    /// maps with enough output channels to pay for the columns go to the GEMM (the cnn workload's 8×8 layers
    /// measured 1.6× faster, its 16×16 ones the same), large ones stay in place (32×32: 1.3× slower as columns,
    /// which no longer fit in L2), and so do few channels (LeNet's second layer, og = 16: 1.5× slower).
    /// </summary>
    private static bool WeightGradByColumns(in ConvGeometry g) => g.P <= 256 && g.Og >= ConvGeometry.ColumnsMinChannels;

    // Images whose weight gradients are summed into one partial; fixed, so the sum's order never depends on threads.
    private const int ImagesPerPartial = 4;

    private static int PartialCount(in ConvGeometry g) => (g.N + ImagesPerPartial - 1) / ImagesPerPartial;

    // One partial: [groups][og, k] from the GEMM, [groups][k, 16] from ConvDirect.WeightGrad (taps × channel
    // lanes), or [groups][og, k] padded (Dots.PaddedRows, taps to a multiple of 4) from Dots.RowDots.
    private static int PartialSize(in ConvGeometry g) =>
        WeightGradByColumns(g) ? g.O * g.K
        : ConvDirect.WeightGradTakes(g) ? g.Groups * g.K * 16
        : Dots.IsSupported ? g.Groups * Dots.PaddedRows(g.Og) * RoundUp(g.K, 4) : g.O * g.K;

    /// <summary>
    /// dW_g = Σ_s dY_s,g · col_s,gᵀ for a stride-1 convolution without the im2col matrix: per image and group,
    /// dY is laid out on the padded input's row pitch (zeros in the wrapped columns) and multiplied by the
    /// padded input's shifted rows, read in place through the offset table (<see cref="Dots.RowDots"/> with
    /// AVX-512, else <c>Gemm.SgemmRows</c> with B transposed); with 9 to 16 output channels per group, as outer
    /// products of input pixels and dY's channel vectors instead (<see cref="ConvDirect.WeightGrad"/>). Images
    /// are summed in fixed groups of four into <paramref name="scratch"/> (<see cref="WeightGradScratch"/>
    /// floats) and the groups added in order, so any thread count gives the same bits.
    /// </summary>
    public static void WeightGradImplicit(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> scratch, Span<float> dw)
    {
        int count = PartialCount(g), size = PartialSize(g), og = g.Og, k = g.K;
        bool columns = WeightGradByColumns(g), lanes = !columns && ConvDirect.WeightGradTakes(g);
        bool dots = Dots.IsSupported && !columns && !lanes;
        int og4 = dots ? Dots.PaddedRows(og) : og, k4 = dots ? RoundUp(k, 4) : k;
        fixed (float* px = x, pdy = dy, pp = scratch, pdw = dw)
        {
            if (columns)
            {
                var job = new WeightGradColumnsJob { G = g, X = px, Dy = pdy, Partials = pp, Count = count, Size = size };
                job.Tasks = TaskCount(count, (long)g.N * g.O * g.K * g.P);
                Run(job.Tasks, ref job);
            }
            else if (lanes)
            {
                var job = new WeightGradLanesJob { G = g, X = px, Dy = pdy, Partials = pp, Count = count, Size = size };
                job.Tasks = TaskCount(count, (long)g.N * g.O * g.K * g.P);
                Run(job.Tasks, ref job);
            }
            else
            {
                var job = new WeightGradJob { G = g, X = px, Dy = pdy, Partials = pp, Count = count, Size = size, Dots = dots };
                job.Tasks = TaskCount(count, (long)g.N * g.O * g.K * g.P);
                Run(job.Tasks, ref job);
            }
            for (int gi = 0; gi < g.Groups; gi++)
                for (int o = 0; o < og; o++)
                    for (int r = 0; r < k; r++)
                    {
                        nint at = lanes ? ((nint)gi * k + r) * 16 + o : ((nint)gi * og4 + o) * k4 + r;
                        float sum = pp[at];
                        for (int c = 1; c < count; c++) sum += pp[(nint)c * size + at];
                        pdw[((nint)gi * og + o) * k + r] = sum;
                    }
        }
    }

    private struct WeightGradJob : IWorkItem
    {
        public ConvGeometry G;
        public float* X, Dy, Partials;
        public int Count, Size, Tasks;
        public bool Dots;

        public readonly void Execute(int t)
        {
            var (c0, c1) = Range(Count, Tasks, t);
            int k = G.K, og = G.Og, cg = G.Cg, hw = G.H * G.W, outH = G.OutH, outW = G.OutW;
            int hp = G.H + G.Win.PadTop + G.Win.PadBottom, wp = G.Pitch;
            int padded = cg * hp * wp, n = (outH - 1) * wp + outW;
            // For RowDots: dY rows padded to 16 floats and to Dots.PaddedRows rows, taps to a multiple of 4, the
            // extra taps pointing at a zero row; that zero row (with the right padding folded into the pitch
            // after it) also follows the image, so reading each input row on past n stays in bounds and adds nothing.
            int ld = Dots ? RoundUp(n, 16) : n, og4 = Dots ? Kernels.Dots.PaddedRows(og) : og, k4 = Dots ? RoundUp(k, 4) : k;
            int zero = ld + G.Win.PadRight;
            float* image = Scratch(padded + zero + og4 * ld);
            float* zeros = image + padded;
            float* dyp = zeros + zero;
            int* offsets = Offsets(k4);
            new Span<float>(zeros, zero + og4 * ld).Clear();
            for (int c = c0; c < c1; c++)
            {
                float* partial = Partials + (nint)c * Size;
                int s1 = Math.Min(G.N, (c + 1) * ImagesPerPartial);
                for (int s = c * ImagesPerPartial; s < s1; s++)
                    for (int gi = 0; gi < G.Groups; gi++)
                    {
                        Conv.PadForImplicitIm2Col(X + ((nint)s * G.C + gi * cg) * hw, cg, G.H, G.W, G.Win, image, offsets);
                        for (int r = k; r < k4; r++) offsets[r] = padded;
                        for (int o = 0; o < og; o++)
                        {
                            float* src = Dy + ((nint)s * G.O + gi * og + o) * G.P;
                            float* row = dyp + (nint)o * ld;
                            // Wrapped columns and the tail to ld stay zero from the clear above.
                            for (int y = 0; y < outH; y++) Conv.Copy(row + (nint)y * wp, src + (nint)y * outW, outW);
                        }
                        float beta = s % ImagesPerPartial == 0 ? 0f : 1f;
                        float* cg4 = partial + (nint)gi * og4 * k4;
                        if (Dots) Kernels.Dots.RowDots(og4, k4, ld, dyp, ld, image, offsets, beta, cg4, k4);
                        else Gemm.SgemmRows(true, og, k, n, 1f, dyp, n, image, offsets, beta, cg4, k, null, false);
                    }
            }
        }
    }

    // One partial per group of ImagesPerPartial images, [groups][k, 16], image by image: the padded input and dY
    // transposed to channel vectors, then ConvDirect.WeightGrad adds each image's outer products into it.
    private struct WeightGradLanesJob : IWorkItem
    {
        public ConvGeometry G;
        public float* X, Dy, Partials;
        public int Count, Size, Tasks;

        public readonly void Execute(int t)
        {
            var (c0, c1) = Range(Count, Tasks, t);
            int k = G.K, og = G.Og, cg = G.Cg, hw = G.H * G.W, p = G.P;
            int hp = G.H + G.Win.PadTop + G.Win.PadBottom, wp = G.Pitch;
            int padded = cg * hp * wp, right = G.Win.PadRight;
            // The last row reads on into the right padding folded into the pitch: zeros after the image.
            float* image = Scratch(padded + right + p * 16);
            float* dyT = image + padded + right;
            int* offsets = Offsets(k);
            new Span<float>(image + padded, right).Clear();
            for (int c = c0; c < c1; c++)
            {
                float* partial = Partials + (nint)c * Size;
                int s1 = Math.Min(G.N, (c + 1) * ImagesPerPartial);
                for (int s = c * ImagesPerPartial; s < s1; s++)
                    for (int gi = 0; gi < G.Groups; gi++)
                    {
                        Conv.PadForImplicitIm2Col(X + ((nint)s * G.C + gi * cg) * hw, cg, G.H, G.W, G.Win, image, offsets);
                        ConvDirect.TransposeChannels(Dy + ((nint)s * G.O + gi * og) * p, og, p, dyT);
                        ConvDirect.WeightGrad(cg * G.Win.KernelH, G.Win.KernelW, G.OutH, G.OutW, wp, image, offsets, dyT,
                            partial + (nint)gi * k * 16, accumulate: s % ImagesPerPartial != 0);
                    }
            }
        }
    }

    // One partial per group of ImagesPerPartial images: their im2col columns side by side [k, images·P] and
    // their dY rows likewise [og, images·P], then partial_g = dY · colᵀ, one GEMM whose reduction runs over
    // all their pixels.
    private struct WeightGradColumnsJob : IWorkItem
    {
        public ConvGeometry G;
        public float* X, Dy, Partials;
        public int Count, Size, Tasks;

        public readonly void Execute(int t)
        {
            var (c0, c1) = Range(Count, Tasks, t);
            int k = G.K, og = G.Og, cg = G.Cg, hw = G.H * G.W, p = G.P;
            int most = ImagesPerPartial * p;
            float* col = Scratch(k * most + og * most);
            float* dyc = col + (nint)k * most;
            for (int c = c0; c < c1; c++)
            {
                int s0 = c * ImagesPerPartial, s1 = Math.Min(G.N, s0 + ImagesPerPartial), l = (s1 - s0) * p;
                for (int gi = 0; gi < G.Groups; gi++)
                {
                    for (int s = s0; s < s1; s++)
                    {
                        Conv.Im2Col(X + ((nint)s * G.C + gi * cg) * hw, cg, G.H, G.W, G.Win, col + (nint)(s - s0) * p, l);
                        for (int o = 0; o < og; o++)
                            Unsafe.CopyBlockUnaligned(dyc + (nint)o * l + (nint)(s - s0) * p, Dy + ((nint)s * G.O + gi * og + o) * p,
                                (uint)p * sizeof(float));
                    }
                    Gemm.Sgemm(false, true, og, k, l, 1f, new ReadOnlySpan<float>(dyc, og * l), l, new ReadOnlySpan<float>(col, k * l), l,
                        0f, new Span<float>(Partials + (nint)c * Size + (nint)gi * og * k, og * k), k);
                }
            }
        }
    }

    /// <summary>db[o] = Σ_s Σ_p dy[s, o, p] over NCHW dY: each image's row summed as <see cref="RowSums"/> does, the images in order.</summary>
    public static void ChannelSums(ReadOnlySpan<float> dy, int n, int o, int p, Span<float> db)
    {
        fixed (float* pdy = dy)
            for (int ch = 0; ch < o; ch++)
            {
                double sum = 0;
                for (int s = 0; s < n; s++) sum += RowSum(pdy + ((nint)s * o + ch) * p, p);
                db[ch] = (float)sum;
            }
    }

    /// <summary>dyT[o, s·P + p] = dy[s, o, p]: the layout in which dW = dY·colᵀ is one GEMM over the batch.</summary>
    public static void GatherChannels(ReadOnlySpan<float> dy, int n, int o, int p, Span<float> dyT)
    {
        if (n == 0 || p == 0) return;
        fixed (float* pdy = dy, pt = dyT)
        {
            var job = new GatherJob { Dy = pdy, DyT = pt, N = n, O = o, P = p };
            job.Tasks = TaskCount(n, (long)n * o * p * 8);
            Run(job.Tasks, ref job);
        }
    }

    private struct GatherJob : IWorkItem
    {
        public float* Dy, DyT;
        public int N, O, P, Tasks;

        public readonly void Execute(int t)
        {
            var (s0, s1) = Range(N, Tasks, t);
            nint ld = (nint)N * P;
            for (int s = s0; s < s1; s++)
                for (int o = 0; o < O; o++)
                    Unsafe.CopyBlockUnaligned(DyT + o * ld + (nint)s * P, Dy + ((nint)s * O + o) * P, (uint)P * sizeof(float));
        }
    }

    /// <summary>
    /// dW_g = dY_g · col_gᵀ for each group, from dY gathered to [O, N·P] and the forward pass's col
    /// [groups, k, N·P]. The product is [og, k] with a reduction over all of N·P; it is computed as it stands
    /// or transposed (col_g · dY_gᵀ = dW_gᵀ, then a small transpose), whichever fills the GEMM's 6×NR tiles
    /// better (with 6×16 tiles LeNet's second layer, og = 16 and k = 150, runs about 1.5× faster transposed;
    /// with AVX-512's 6×32 as it stands). The choice depends on the shapes and the kernel, never on the
    /// thread count.
    /// </summary>
    public static void WeightGrad(in ConvGeometry g, ReadOnlySpan<float> dyT, ReadOnlySpan<float> col, Span<float> dw)
    {
        int og = g.Og, k = g.K, np = g.N * g.P;
        static double Fill(int rows, int cols) => rows / (double)RoundUp(rows, 6) * (cols / (double)RoundUp(cols, Gemm.PanelWidth));
        bool transposed = Fill(k, og) > Fill(og, k);
        float* t = transposed ? Scratch(k * og) : null;
        for (int gi = 0; gi < g.Groups; gi++)
        {
            var dyG = dyT.Slice(gi * og * np, og * np);
            var colG = col.Slice(gi * k * np, k * np);
            var dwG = dw.Slice(gi * og * k, og * k);
            if (!transposed)
            {
                Gemm.Sgemm(false, true, og, k, np, 1f, dyG, np, colG, np, 0f, dwG, k);
                continue;
            }
            var tt = new Span<float>(t, k * og);
            Gemm.Sgemm(false, true, k, og, np, 1f, colG, np, dyG, np, 0f, tt, og);
            for (int o = 0; o < og; o++)
                for (int r = 0; r < k; r++) dwG[o * k + r] = tt[r * og + o];
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    /// <summary>sums[r] = Σ_j m[r, j] over a [rows, cols] matrix, in a fixed order (8 lanes × 4 chains, then a fixed tree).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums)
    {
        fixed (float* pm = m)
            for (int r = 0; r < rows; r++) sums[r] = (float)RowSum(pm + (nint)r * cols, cols);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double RowSum(float* row, int cols)
    {
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        var a2 = Vector256<float>.Zero;
        var a3 = Vector256<float>.Zero;
        int j = 0;
        for (; j <= cols - 32; j += 32)
        {
            a0 += Vector256.Load(row + j);
            a1 += Vector256.Load(row + j + 8);
            a2 += Vector256.Load(row + j + 16);
            a3 += Vector256.Load(row + j + 24);
        }
        for (; j <= cols - 8; j += 8) a0 += Vector256.Load(row + j);
        var v = (a0 + a1) + (a2 + a3);
        double sum = 0;
        for (int l = 0; l < 8; l++) sum += v.GetElement(l);
        for (; j < cols; j++) sum += row[j];
        return sum;
    }

    /// <summary>
    /// Max pooling of [N, C, H, W] image by image; an empty <paramref name="argmax"/> skips the indices. With
    /// <paramref name="relu"/>, relu(maxpool(x)) (see <see cref="Conv.MaxPool"/>).
    /// </summary>
    public static void MaxPool(ReadOnlySpan<float> x, int n, int c, int h, int w, in Window2d win, Span<float> y, Span<float> argmax,
        bool relu = false)
    {
        if (n == 0) return;
        fixed (float* px = x, py = y, pa = argmax)
        {
            var job = new MaxPoolJob { X = px, Y = py, Argmax = argmax.IsEmpty ? null : pa, C = c, H = h, W = w, Win = win, N = n, Relu = relu };
            job.Tasks = TaskCount(n, (long)n * c * h * w * 4);
            Run(job.Tasks, ref job);
        }
    }

    private struct MaxPoolJob : IWorkItem
    {
        public float* X, Y, Argmax;
        public int N, C, H, W, Tasks;
        public Window2d Win;
        public bool Relu;

        public readonly void Execute(int t)
        {
            var (s0, s1) = Range(N, Tasks, t);
            nint inPlane = (nint)C * H * W, outPlane = (nint)C * Win.OutputH(H) * Win.OutputW(W);
            for (int s = s0; s < s1; s++)
                Conv.MaxPool(X + s * inPlane, C, H, W, Win, Y + s * outPlane, Argmax == null ? null : Argmax + s * outPlane, Relu);
        }
    }

    /// <summary>
    /// dx[argmax] += dy, image by image, for [N, C, H, W] input; <paramref name="dx"/> must be zero-filled unless
    /// <paramref name="tiled"/> (a 2×2, stride-2 window: every element is written, see <see cref="Conv.MaxPool2x2Backward"/>).
    /// </summary>
    public static void MaxPoolBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> argmax, int n, int c, int h, int w, int outPlane,
        bool tiled, Span<float> dx)
    {
        if (n == 0) return;
        fixed (float* pdy = dy, pa = argmax, pdx = dx)
        {
            var job = new MaxPoolBackwardJob
            {
                Dy = pdy, Argmax = pa, Dx = pdx, N = n, C = c, H = h, W = w, Tiled = tiled,
                OutPlane = outPlane, InPlane = h * w,
            };
            job.Tasks = TaskCount(n, (long)n * c * h * w * 4);
            Run(job.Tasks, ref job);
        }
    }

    private struct MaxPoolBackwardJob : IWorkItem
    {
        public float* Dy, Argmax, Dx;
        public int N, C, H, W, OutPlane, InPlane, Tasks;
        public bool Tiled;

        public readonly void Execute(int t)
        {
            var (s0, s1) = Range(N, Tasks, t);
            nint o = (nint)C * OutPlane, i = (nint)C * InPlane;
            for (int s = s0; s < s1; s++)
                if (Tiled) Conv.MaxPool2x2Backward(Dy + s * o, Argmax + s * o, C, H, W, Dx + s * i);
                else Conv.MaxPoolBackward(Dy + s * o, Argmax + s * o, C, OutPlane, InPlane, Dx + s * i);
        }
    }
}
