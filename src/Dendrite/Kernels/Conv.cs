using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

/// <summary>
/// The geometry of a 2-d convolution or pooling window over one [C, H, W] image: kernel, stride,
/// dilation and padding (top/left and bottom/right may differ, as "same" padding needs for even kernels).
/// </summary>
internal readonly record struct Window2d(
    int KernelH, int KernelW, int StrideH, int StrideW, int DilationH, int DilationW,
    int PadTop, int PadLeft, int PadBottom, int PadRight)
{
    // A window larger than the padded input leaves a negative span: the output is empty (0), which the
    // callers report, rather than C#'s truncation towards zero making it 1.
    public int OutputH(int h) => Output(h + PadTop + PadBottom - DilationH * (KernelH - 1) - 1, StrideH);

    public int OutputW(int w) => Output(w + PadLeft + PadRight - DilationW * (KernelW - 1) - 1, StrideW);

    private static int Output(int span, int stride) => span < 0 ? 0 : span / stride + 1;

    public bool HasPadding => (PadTop | PadLeft | PadBottom | PadRight) != 0;

    /// <summary>The 2×2, stride-2 window without padding or dilation: its windows tile the input.</summary>
    public bool IsPool2x2 => this is { KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 1 } && !HasPadding;
}

/// <summary>
/// im2col and col2im: convolution becomes one GEMM when every receptive field is laid out as a column.
/// col has shape [C·kh·kw, outH·outW]; row (c, i, j) holds input pixel (c, y·sh − pt + i·dh, x·sw − pl + j·dw)
/// for each output position (y, x), or 0 where that falls in the padding.
/// </summary>
internal static unsafe class Conv
{
    /// <summary>
    /// im2col into a matrix whose rows are <paramref name="ldCol"/> apart, so the columns of several images
    /// can sit side by side ([C·kh·kw, N·outH·outW]) and a whole batch becomes one GEMM. The caller
    /// guarantees the buffers are large enough.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Im2Col(float* image, int channels, int h, int w, in Window2d win, float* col, nint ldCol)
        => ForEachTapRow<Im2ColRow>(image, channels, h, w, win, col, ldCol);

    /// <summary>
    /// The row pitch Wp of <see cref="PadForImplicitIm2Col"/>'s padded image: W + pl + pr, or only W + pl when
    /// pr ≤ pl. Then a row's right padding is the next row's left padding (they are adjacent in memory), and
    /// each output row computes Wp − outW = d·(k−1) − pr wrapped columns fewer: none for the "full" correlation
    /// of an input gradient (pl = pr = d·(k−1)), two of LeNet's first layer's 32.
    /// </summary>
    public static int ImplicitPitch(int w, in Window2d win) => w + win.PadLeft + (win.PadRight <= win.PadLeft ? 0 : win.PadRight);

    /// <summary>
    /// The input of a stride-1 convolution as an implicit im2col: <paramref name="dst"/> gets the image with its
    /// padding written out ([C, H + pt + pb, Wp], zeros around it, Wp = <see cref="ImplicitPitch"/>), and
    /// <paramref name="offsets"/>[row] the start of im2col row (c, i, j) in it. Row (c, i, j), column y·Wp + x,
    /// is then pixel (c, y + i·dh, x + j·dw) of the padded image: each row of the column matrix is the padded
    /// image shifted by one tap, and a GEMM can read it in place (<c>Gemm.SgemmRows</c>). Columns with
    /// x ≥ outW wrap into the next image row and are discarded. When the right padding is folded into the next
    /// row's left padding, the last row of the last channel reads up to pr floats past the image, which the
    /// caller keeps zero. Returns Wp.
    /// </summary>
    public static int PadForImplicitIm2Col(float* image, int channels, int h, int w, in Window2d win, float* dst, int* offsets)
    {
        int hp = h + win.PadTop + win.PadBottom, wp = ImplicitPitch(w, win), right = wp - w - win.PadLeft;
        nint plane = (nint)hp * wp;
        for (int c = 0; c < channels; c++)
        {
            float* src = image + (nint)c * h * w;
            float* d = dst + c * plane;
            Zero(d, win.PadTop * wp + win.PadLeft);
            for (int y = 0; y < h; y++)
            {
                float* row = d + (nint)(y + win.PadTop) * wp + win.PadLeft;
                Copy(row, src + (nint)y * w, w);
                // The right padding of this row and the left padding of the next are adjacent.
                if (y < h - 1) Zero(row + w, right + win.PadLeft);
            }
            Zero(d + (nint)(win.PadTop + h) * wp - right, right + win.PadBottom * wp);
        }
        int r = 0;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < win.KernelH; i++)
                for (int j = 0; j < win.KernelW; j++)
                    offsets[r++] = (int)(c * plane) + i * win.DilationH * wp + j * win.DilationW;
        return wp;
    }

    // ⌈a / b⌉ for b > 0 and any sign of a.
    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);

    // Short row copies (LeNet's rows are 10 to 28 floats): two overlapping vectors beat a memmove call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy(float* dst, float* src, int count)
    {
        if (count >= 8)
        {
            int i = 0;
            for (; i <= count - 8; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
            if (i < count) Vector256.Store(Vector256.Load(src + count - 8), dst + count - 8);
        }
        else if (count >= 4)
        {
            Vector128.Store(Vector128.Load(src), dst);
            Vector128.Store(Vector128.Load(src + count - 4), dst + count - 4);
        }
        else
            for (int i = 0; i < count; i++) dst[i] = src[i];
    }

    // Zeros in [dst, dst + count): the padding between two rows is a few floats, where a call to memset costs
    // more than the stores.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Zero(float* dst, int count)
    {
        if (count > 32) new Span<float>(dst, count).Clear();
        else if (count >= 8)
        {
            int i = 0;
            for (; i <= count - 8; i += 8) Vector256.Store(Vector256<float>.Zero, dst + i);
            if (i < count) Vector256.Store(Vector256<float>.Zero, dst + count - 8);
        }
        else
            for (int i = 0; i < count; i++) dst[i] = 0f;
    }

    // dst[i] += src[i]; the tail is scalar, so every element sees one rounding whatever the alignment.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(float* dst, float* src, int count)
    {
        int i = 0;
        for (; i <= count - 8; i += 8) Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
        for (; i < count; i++) dst[i] += src[i];
    }

    /// <summary>
    /// The adjoint of <see cref="Im2Col"/>: adds every column entry back into the pixel it came from. Rows are
    /// added in a fixed order (channel, kernel row, kernel column, output row), so the result does not depend
    /// on who calls it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Col2Im(float* col, int channels, int h, int w, in Window2d win, float* image, nint ldCol)
        => ForEachTapRow<Col2ImRow>(image, channels, h, w, win, col, ldCol);

    /// <summary>
    /// The loop nest im2col and col2im share: for each row (c, i, j) of the column matrix (rows
    /// <paramref name="ldCol"/> apart) and each output row y, the image row that tap reads — null where it
    /// falls in the vertical padding — against the column row's segment for y. Output columns [x0, x1) read
    /// inside the image; the others fall in the horizontal padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForEachTapRow<TRow>(float* image, int channels, int h, int w, in Window2d win, float* col, nint ldCol)
        where TRow : struct, ITapRow
    {
        int outH = win.OutputH(h), outW = win.OutputW(w);
        int sh = win.StrideH, sw = win.StrideW;
        float* row = col;
        for (int c = 0; c < channels; c++)
        {
            float* plane = image + (nint)c * h * w;
            for (int i = 0; i < win.KernelH; i++)
            {
                int dy = i * win.DilationH - win.PadTop;
                for (int j = 0; j < win.KernelW; j++, row += ldCol)
                {
                    int dx = j * win.DilationW - win.PadLeft;
                    // The in-bounds output columns [x0, x1) are the same for every output row.
                    int x0 = Math.Clamp(CeilDiv(-dx, sw), 0, outW), x1 = Math.Clamp(CeilDiv(w - dx, sw), 0, outW);
                    if (x1 <= x0)
                    {
                        if (!TRow.FillsPadding) continue; // nothing of this tap touches the image
                        x1 = x0;
                    }
                    float* segment = row;
                    for (int y = 0; y < outH; y++, segment += outW)
                    {
                        int iy = y * sh + dy;
                        if ((uint)iy >= (uint)h)
                        {
                            if (TRow.FillsPadding) new Span<float>(segment, outW).Clear();
                            continue;
                        }
                        TRow.Run(plane + (nint)iy * w + dx, segment, x0, x1, outW, sw);
                    }
                }
            }
        }
    }

    /// <summary>
    /// One output row of one tap that lies in the image: <c>pixels</c> is the image row shifted by the tap
    /// (x·sw reads column x). <c>FillsPadding</c>: whether the column matrix gets zeros where the tap falls in
    /// the padding (im2col) or the padding is simply skipped (col2im).
    /// </summary>
    private interface ITapRow
    {
        static abstract bool FillsPadding { get; }

        static abstract void Run(float* pixels, float* segment, int x0, int x1, int outW, int sw);
    }

    // im2col: the segment gets the pixels, zeros in the padding.
    private readonly struct Im2ColRow : ITapRow
    {
        public static bool FillsPadding => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run(float* pixels, float* segment, int x0, int x1, int outW, int sw)
        {
            for (int x = 0; x < x0; x++) segment[x] = 0f;
            if (sw == 1) Copy(segment + x0, pixels + x0, x1 - x0);
            else for (int x = x0; x < x1; x++) segment[x] = pixels[x * sw];
            for (int x = x1; x < outW; x++) segment[x] = 0f;
        }
    }

    // col2im: the segment is added back into the pixels it came from; what came from the padding is dropped.
    private readonly struct Col2ImRow : ITapRow
    {
        public static bool FillsPadding => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run(float* pixels, float* segment, int x0, int x1, int outW, int sw)
        {
            if (sw == 1) AddTo(pixels + x0, segment + x0, x1 - x0);
            else for (int x = x0; x < x1; x++) pixels[x * sw] += segment[x];
        }
    }

    /// <summary>
    /// Max pooling of one [C, H, W] image: out and the flat in-plane index of each maximum (first on ties;
    /// NaN wins), stored as a float (exact below 2^24, far beyond any image plane) so it can live in a
    /// pooled tensor. Padding never wins: it counts as −∞; an all-padding window records −1. A null
    /// <paramref name="argmax"/> skips the indices (inference).
    /// </summary>
    /// <remarks>
    /// With <paramref name="relu"/> the result is relu(maxpool(x)), which equals maxpool(relu(x)) for windows
    /// that hold a real pixel (the max of clamped values is the clamped max; NaN wins either way), and the
    /// index is stored as ~index (negative) where the output is not positive: there relu's gradient is 0, so
    /// the backward pass routes nothing, as ReLU's backward would have zeroed what it routed. The same numbers
    /// and gradients as the two ops, in one pass over a map four times smaller than the one ReLU went over.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxPool(float* image, int channels, int h, int w, in Window2d win, float* output, float* argmax,
        bool relu = false)
    {
        int outH = win.OutputH(h), outW = win.OutputW(w);
        if (win.IsPool2x2)
        {
            MaxPool2x2(image, channels, h, w, output, argmax, relu);
            return;
        }
        for (int c = 0; c < channels; c++)
        {
            float* plane = image + (nint)c * h * w;
            int o = c * outH * outW;
            for (int y = 0; y < outH; y++)
            {
                for (int x = 0; x < outW; x++, o++)
                {
                    float best = float.NegativeInfinity;
                    int bestIndex = -1;
                    for (int i = 0; i < win.KernelH; i++)
                    {
                        int iy = y * win.StrideH - win.PadTop + i * win.DilationH;
                        if (iy < 0 || iy >= h) continue;
                        for (int j = 0; j < win.KernelW; j++)
                        {
                            int ix = x * win.StrideW - win.PadLeft + j * win.DilationW;
                            if (ix < 0 || ix >= w) continue;
                            float v = plane[iy * w + ix];
                            if (bestIndex < 0 || Better(v, best))
                            {
                                best = v;
                                bestIndex = iy * w + ix;
                            }
                        }
                    }
                    if (relu && !(best > 0))
                    {
                        // ReLU's rule: x ≤ 0 gives +0, NaN stays; no gradient either way.
                        if (!float.IsNaN(best)) best = 0f;
                        bestIndex = ~bestIndex;
                    }
                    output[o] = best;
                    if (argmax != null) argmax[o] = bestIndex;
                }
            }
        }
    }

    /// <summary>
    /// Routes each output gradient of one image to the input element recorded as its window's maximum (none
    /// where the index is negative); <paramref name="gradInput"/> must be zero-filled.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxPoolBackward(float* gradOutput, float* argmax, int planes, int outPlane, int inPlane, float* gradInput)
    {
        for (int pl = 0; pl < planes; pl++)
        {
            float* g = gradOutput + (nint)pl * outPlane, a = argmax + (nint)pl * outPlane, d = gradInput + (nint)pl * inPlane;
            for (int i = 0; i < outPlane; i++)
            {
                // Branch-free: after a fused ReLU about half the indices are negative, in no pattern a branch
                // predictor could learn (a branch tripled this loop's time). A negative index ~j adds +0 at j
                // (−1, a window of padding only, at 0), which changes no bits: d starts at +0 and a sum with +0
                // can never make it −0. Each goes to its own window's element, so no chain of additions to one
                // address forms.
                int at = (int)a[i], skip = at >> 31;
                d[at ^ skip] += BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(g[i]) & ~skip);
            }
        }
    }

    /// <summary>
    /// <see cref="MaxPoolBackward"/> for the 2×2, stride-2 window, whose windows tile the input: every element of
    /// <paramref name="gradInput"/> is written (the gradient at its window's maximum, +0 elsewhere, and +0 in an
    /// odd last row or column), so it needs no zero-filling, and eight windows at a time are written as two
    /// rows of 16 floats instead of scattered. The same bits as the scatter into zeros (g + 0 turns −0 into the
    /// +0 that 0 + g gives).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxPool2x2Backward(float* gradOutput, float* argmax, int planes, int h, int w, float* gradInput)
    {
        int outH = h / 2, outW = w / 2;
        bool vector = Avx2.IsSupported && outW >= 8;
        for (int pl = 0; pl < planes; pl++)
        {
            float* d = gradInput + (nint)pl * h * w;
            for (int y = 0; y < outH; y++)
            {
                float* g = gradOutput + ((nint)pl * outH + y) * outW, a = argmax + ((nint)pl * outH + y) * outW;
                float* r0 = d + (nint)2 * y * w, r1 = r0 + w;
                int i0 = 2 * y * w, x = 0;
                if (vector)
                {
                    // The last block overlaps the one before it, rewriting the same values.
                    for (; ; x += 8)
                    {
                        if (x > outW - 8) x = outW - 8;
                        MaxPool2x2BackwardBlock(g + x, a + x, i0 + 2 * x, w, r0 + 2 * x, r1 + 2 * x);
                        if (x == outW - 8) break;
                    }
                }
                else
                {
                    for (; x < outW; x++)
                    {
                        int at = (int)a[x], i = i0 + 2 * x;
                        float v = g[x] + 0f;
                        r0[2 * x] = at == i ? v : 0f;
                        r0[2 * x + 1] = at == i + 1 ? v : 0f;
                        r1[2 * x] = at == i + w ? v : 0f;
                        r1[2 * x + 1] = at == i + w + 1 ? v : 0f;
                    }
                }
                if ((w & 1) != 0)
                {
                    r0[w - 1] = 0f;
                    r1[w - 1] = 0f;
                }
            }
            if ((h & 1) != 0) new Span<float>(d + (nint)(h - 1) * w, w).Clear();
        }
    }

    // Eight windows: each of the four positions gets g where the window's index names it (a negative index,
    // a masked window, names none), then the left and right columns are interleaved into the two rows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxPool2x2BackwardBlock(float* g, float* a, int index, int w, float* r0, float* r1)
    {
        var v = Avx.LoadVector256(g) + Vector256<float>.Zero;
        var at = Avx.LoadVector256(a);
        var tl = Vector256.Create((float)index) + Vector256.Create(0f, 2f, 4f, 6f, 8f, 10f, 12f, 14f);
        var bl = tl + Vector256.Create((float)w);
        var one = Vector256.Create(1f);
        var vtl = v & Vector256.Equals(at, tl);
        var vtr = v & Vector256.Equals(at, tl + one);
        var vbl = v & Vector256.Equals(at, bl);
        var vbr = v & Vector256.Equals(at, bl + one);
        // unpack interleaves within 128-bit lanes; the lane permutes put the 16 floats of a row in order.
        var lo = Avx.UnpackLow(vtl, vtr);
        var hi = Avx.UnpackHigh(vtl, vtr);
        Avx.Store(r0, Avx.Permute2x128(lo, hi, 0x20));
        Avx.Store(r0 + 8, Avx.Permute2x128(lo, hi, 0x31));
        lo = Avx.UnpackLow(vbl, vbr);
        hi = Avx.UnpackHigh(vbl, vbr);
        Avx.Store(r1, Avx.Permute2x128(lo, hi, 0x20));
        Avx.Store(r1 + 8, Avx.Permute2x128(lo, hi, 0x31));
    }

    /// <summary>The common 2×2, stride-2 case of <see cref="MaxPool"/>, with the same tie and NaN rules.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPool2x2(float* image, int channels, int h, int w, float* output, float* argmax, bool relu)
    {
        int outH = h / 2, outW = w / 2;
        bool vector = Avx2.IsSupported && outW >= 8, narrow = Avx.IsSupported && outW >= 4 && outW < 8;
        for (int c = 0; c < channels; c++)
        {
            float* plane = image + (nint)c * h * w;
            for (int y = 0; y < outH; y++)
            {
                float* r0 = plane + 2 * y * w, r1 = r0 + w;
                float* o = output + ((nint)c * outH + y) * outW;
                float* a = argmax == null ? null : argmax + ((nint)c * outH + y) * outW;
                int i0 = 2 * y * w, x = 0;
                if (vector)
                {
                    // Branch-free, 8 outputs at a time; the last block overlaps the one before it (recomputing
                    // identical values) rather than leaving a scalar tail.
                    for (; ; x += 8)
                    {
                        if (x > outW - 8) x = outW - 8;
                        MaxPool2x2Block(r0 + 2 * x, r1 + 2 * x, w, i0 + 2 * x, o + x, a == null ? null : a + x, relu);
                        if (x == outW - 8) break;
                    }
                    continue;
                }
                if (narrow)
                {
                    for (; ; x += 4)
                    {
                        if (x > outW - 4) x = outW - 4;
                        MaxPool2x2Block4(r0 + 2 * x, r1 + 2 * x, w, i0 + 2 * x, o + x, a == null ? null : a + x, relu);
                        if (x == outW - 4) break;
                    }
                    continue;
                }
                for (; x < outW; x++)
                {
                    float v = r0[2 * x];
                    int best = 0;
                    if (Better(r0[2 * x + 1], v)) { best = 1; v = r0[2 * x + 1]; }
                    if (Better(r1[2 * x], v)) { best = w; v = r1[2 * x]; }
                    if (Better(r1[2 * x + 1], v)) { best = w + 1; v = r1[2 * x + 1]; }
                    bool routed = !relu || v > 0;
                    o[x] = routed || float.IsNaN(v) ? v : 0f;
                    if (a != null) a[x] = routed ? i0 + 2 * x + best : ~(i0 + 2 * x + best);
                }
            }
        }
    }

    // Eight 2×2 windows whose top-left corners are r0[0], r0[2], ..., r0[14]; the candidates are taken in
    // the scalar order (top-left, top-right, bottom-left, bottom-right) with the same Better rule.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxPool2x2Block(float* r0, float* r1, int w, int index, float* o, float* a, bool relu)
    {
        var top0 = Avx.LoadVector256(r0);
        var top1 = Avx.LoadVector256(r0 + 8);
        var bottom0 = Avx.LoadVector256(r1);
        var bottom1 = Avx.LoadVector256(r1 + 8);
        // Shuffle gathers evens (odds) within each 128-bit lane; the 64-bit permute puts the lanes in order.
        var tl = Deinterleave(top0, top1, 0b10_00_10_00);
        var tr = Deinterleave(top0, top1, 0b11_01_11_01);
        var bl = Deinterleave(bottom0, bottom1, 0b10_00_10_00);
        var br = Deinterleave(bottom0, bottom1, 0b11_01_11_01);
        var v = tl;
        var m1 = BetterMask(tr, v);
        v = Vector256.ConditionalSelect(m1, tr, v);
        var m2 = BetterMask(bl, v);
        v = Vector256.ConditionalSelect(m2, bl, v);
        var m3 = BetterMask(br, v);
        v = Vector256.ConditionalSelect(m3, br, v);
        // ReluOp's vector rule (x ≤ 0 → +0, NaN kept); only positive outputs keep their index (the others ~index = −1 − index).
        if (relu) v = Vector256.AndNot(v, Vector256.LessThanOrEqual(v, Vector256<float>.Zero));
        Vector256.Store(v, o);
        if (a == null) return;
        var i = Vector256.Create((float)index) + Vector256.Create(0f, 2f, 4f, 6f, 8f, 10f, 12f, 14f);
        i = Vector256.ConditionalSelect(m1, i + Vector256.Create(1f), i);
        var below = Vector256.Create((float)index + w) + Vector256.Create(0f, 2f, 4f, 6f, 8f, 10f, 12f, 14f);
        i = Vector256.ConditionalSelect(m2, below, i);
        i = Vector256.ConditionalSelect(m3, below + Vector256.Create(1f), i);
        if (relu) i = Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), i, Vector256.Create(-1f) - i);
        Vector256.Store(i, a);
    }

    // The 4-wide form of MaxPool2x2Block, for planes 8 to 15 pixels wide (LeNet's second pool).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxPool2x2Block4(float* r0, float* r1, int w, int index, float* o, float* a, bool relu)
    {
        var top0 = Sse.LoadVector128(r0);
        var top1 = Sse.LoadVector128(r0 + 4);
        var bottom0 = Sse.LoadVector128(r1);
        var bottom1 = Sse.LoadVector128(r1 + 4);
        var tl = Sse.Shuffle(top0, top1, 0b10_00_10_00);
        var tr = Sse.Shuffle(top0, top1, 0b11_01_11_01);
        var bl = Sse.Shuffle(bottom0, bottom1, 0b10_00_10_00);
        var br = Sse.Shuffle(bottom0, bottom1, 0b11_01_11_01);
        var v = tl;
        var m1 = BetterMask(tr, v);
        v = Vector128.ConditionalSelect(m1, tr, v);
        var m2 = BetterMask(bl, v);
        v = Vector128.ConditionalSelect(m2, bl, v);
        var m3 = BetterMask(br, v);
        v = Vector128.ConditionalSelect(m3, br, v);
        if (relu) v = Vector128.AndNot(v, Vector128.LessThanOrEqual(v, Vector128<float>.Zero));
        Vector128.Store(v, o);
        if (a == null) return;
        var i = Vector128.Create((float)index) + Vector128.Create(0f, 2f, 4f, 6f);
        i = Vector128.ConditionalSelect(m1, i + Vector128.Create(1f), i);
        var below = Vector128.Create((float)index + w) + Vector128.Create(0f, 2f, 4f, 6f);
        i = Vector128.ConditionalSelect(m2, below, i);
        i = Vector128.ConditionalSelect(m3, below + Vector128.Create(1f), i);
        if (relu) i = Vector128.ConditionalSelect(Vector128.GreaterThan(v, Vector128<float>.Zero), i, Vector128.Create(-1f) - i);
        Vector128.Store(i, a);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> BetterMask(Vector128<float> candidate, Vector128<float> best)
        => Sse.CompareGreaterThan(candidate, best) |
           Vector128.AndNot(Sse.CompareUnordered(candidate, candidate), Sse.CompareUnordered(best, best));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Deinterleave(Vector256<float> lo, Vector256<float> hi, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte control)
        => Avx2.Permute4x64(Avx.Shuffle(lo, hi, control).AsDouble(), 0b11_01_10_00).AsSingle();

    // The vector form of Better: all ones where candidate > best, or candidate is NaN and best is not.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> BetterMask(Vector256<float> candidate, Vector256<float> best)
        => Avx.CompareGreaterThan(candidate, best) |
           Vector256.AndNot(Avx.CompareUnordered(candidate, candidate), Avx.CompareUnordered(best, best));

    // A later candidate wins only if strictly larger, or if it is the first NaN (NaN propagates).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Better(float candidate, float best) => candidate > best || (float.IsNaN(candidate) && !float.IsNaN(best));

    /// <summary>
    /// Average pooling of one [C, H, W] image. The divisor is the window area including padding
    /// (PyTorch's count_include_pad = true, clipped at the padded border) or only the real pixels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvgPool(ReadOnlySpan<float> image, int channels, int h, int w, in Window2d win,
        bool countIncludePad, Span<float> output)
    {
        int outH = win.OutputH(h), outW = win.OutputW(w);
        for (int c = 0; c < channels; c++)
        {
            var plane = image.Slice(c * h * w, h * w);
            int o = c * outH * outW;
            for (int y = 0; y < outH; y++)
            {
                for (int x = 0; x < outW; x++, o++)
                {
                    var (y0, y1, x0, x1, divisor) = AvgWindow(y, x, h, w, win, countIncludePad);
                    double sum = 0;
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++) sum += plane[iy * w + ix];
                    output[o] = (float)(sum / divisor);
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="AvgPool"/>: spreads each output gradient evenly over its window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvgPoolBackward(ReadOnlySpan<float> gradOutput, int channels, int h, int w, in Window2d win,
        bool countIncludePad, Span<float> gradImage)
    {
        int outH = win.OutputH(h), outW = win.OutputW(w);
        for (int c = 0; c < channels; c++)
        {
            var plane = gradImage.Slice(c * h * w, h * w);
            int o = c * outH * outW;
            for (int y = 0; y < outH; y++)
            {
                for (int x = 0; x < outW; x++, o++)
                {
                    var (y0, y1, x0, x1, divisor) = AvgWindow(y, x, h, w, win, countIncludePad);
                    float share = (float)(gradOutput[o] / divisor);
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++) plane[iy * w + ix] += share;
                }
            }
        }
    }

    private static (int Y0, int Y1, int X0, int X1, double Divisor) AvgWindow(int y, int x, int h, int w,
        in Window2d win, bool countIncludePad)
    {
        int ys = y * win.StrideH - win.PadTop, xs = x * win.StrideW - win.PadLeft;
        int ye = Math.Min(ys + win.KernelH, h + win.PadBottom), xe = Math.Min(xs + win.KernelW, w + win.PadRight);
        int padded = (ye - ys) * (xe - xs);
        int y0 = Math.Max(ys, 0), x0 = Math.Max(xs, 0), y1 = Math.Min(ye, h), x1 = Math.Min(xe, w);
        int real = Math.Max(0, y1 - y0) * Math.Max(0, x1 - x0);
        return (y0, y1, x0, x1, countIncludePad ? padded : Math.Max(real, 1));
    }
}

/// <summary>Adaptive average pooling: output cell (i, j) averages rows ⌊i·H/oh⌋ .. ⌈(i+1)·H/oh⌉ and likewise columns, as PyTorch does.</summary>
internal static class AdaptivePool
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> image, int channels, int h, int w, int outH, int outW, Span<float> output)
    {
        for (int c = 0; c < channels; c++)
        {
            var plane = image.Slice(c * h * w, h * w);
            for (int i = 0; i < outH; i++)
            {
                int y0 = i * h / outH, y1 = ((i + 1) * h + outH - 1) / outH;
                for (int j = 0; j < outW; j++)
                {
                    int x0 = j * w / outW, x1 = ((j + 1) * w + outW - 1) / outW;
                    double sum = 0;
                    for (int y = y0; y < y1; y++)
                        for (int x = x0; x < x1; x++) sum += plane[y * w + x];
                    output[(c * outH + i) * outW + j] = (float)(sum / ((y1 - y0) * (x1 - x0)));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> gradOutput, int channels, int h, int w, int outH, int outW, Span<float> gradImage)
    {
        for (int c = 0; c < channels; c++)
        {
            var plane = gradImage.Slice(c * h * w, h * w);
            for (int i = 0; i < outH; i++)
            {
                int y0 = i * h / outH, y1 = ((i + 1) * h + outH - 1) / outH;
                for (int j = 0; j < outW; j++)
                {
                    int x0 = j * w / outW, x1 = ((j + 1) * w + outW - 1) / outW;
                    float share = gradOutput[(c * outH + i) * outW + j] / ((y1 - y0) * (x1 - x0));
                    for (int y = y0; y < y1; y++)
                        for (int x = x0; x < x1; x++) plane[y * w + x] += share;
                }
            }
        }
    }
}
