using System.Runtime.CompilerServices;

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
}

/// <summary>
/// im2col and col2im: convolution becomes one GEMM when every receptive field is laid out as a column.
/// col has shape [C·kh·kw, outH·outW]; row (c, i, j) holds input pixel (c, y·sh − pt + i·dh, x·sw − pl + j·dw)
/// for each output position (y, x), or 0 where that falls in the padding.
/// </summary>
internal static class Conv
{
    public static void Im2Col(ReadOnlySpan<float> image, int channels, int h, int w, in Window2d win, Span<float> col)
        => Im2Col(image, channels, h, w, win, col, win.OutputH(h) * win.OutputW(w));

    /// <summary>
    /// im2col into a wider matrix whose rows are <paramref name="ldCol"/> apart, so the columns of several
    /// images can sit side by side ([C·kh·kw, N·outH·outW]) and a whole batch becomes one GEMM.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Im2Col(ReadOnlySpan<float> image, int channels, int h, int w, in Window2d win, Span<float> col, int ldCol)
    {
        int outH = win.OutputH(h), outW = win.OutputW(w);
        int row = 0;
        for (int c = 0; c < channels; c++)
        {
            var plane = image.Slice(c * h * w, h * w);
            for (int i = 0; i < win.KernelH; i++)
            {
                for (int j = 0; j < win.KernelW; j++, row++)
                {
                    var dst = col.Slice(row * ldCol, outH * outW);
                    int dy = i * win.DilationH - win.PadTop, dx = j * win.DilationW - win.PadLeft;
                    for (int y = 0; y < outH; y++)
                    {
                        int iy = y * win.StrideH + dy;
                        var dstRow = dst.Slice(y * outW, outW);
                        if (iy < 0 || iy >= h)
                        {
                            dstRow.Clear();
                            continue;
                        }
                        var srcRow = plane.Slice(iy * w, w);
                        if (win.StrideW == 1)
                        {
                            // Contiguous run: copy the in-bounds part, zero the padding on either side.
                            int x0 = Math.Clamp(-dx, 0, outW), x1 = Math.Clamp(w - dx, 0, outW);
                            dstRow[..x0].Clear();
                            if (x1 > x0) srcRow.Slice(x0 + dx, x1 - x0).CopyTo(dstRow[x0..x1]);
                            dstRow[Math.Max(x0, x1)..].Clear();
                        }
                        else
                        {
                            for (int x = 0; x < outW; x++)
                            {
                                int ix = x * win.StrideW + dx;
                                dstRow[x] = ix >= 0 && ix < w ? srcRow[ix] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of im2col: adds every column entry back into the pixel it came from.</summary>
    public static void Col2Im(ReadOnlySpan<float> col, int channels, int h, int w, in Window2d win, Span<float> image)
        => Col2Im(col, channels, h, w, win, image, win.OutputH(h) * win.OutputW(w));

    /// <summary>The adjoint of the wide <see cref="Im2Col(ReadOnlySpan{float}, int, int, int, in Window2d, Span{float}, int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Col2Im(ReadOnlySpan<float> col, int channels, int h, int w, in Window2d win, Span<float> image, int ldCol)
    {
        int outH = win.OutputH(h), outW = win.OutputW(w);
        int row = 0;
        for (int c = 0; c < channels; c++)
        {
            var plane = image.Slice(c * h * w, h * w);
            for (int i = 0; i < win.KernelH; i++)
            {
                for (int j = 0; j < win.KernelW; j++, row++)
                {
                    var src = col.Slice(row * ldCol, outH * outW);
                    int dy = i * win.DilationH - win.PadTop, dx = j * win.DilationW - win.PadLeft;
                    for (int y = 0; y < outH; y++)
                    {
                        int iy = y * win.StrideH + dy;
                        if (iy < 0 || iy >= h) continue;
                        var dstRow = plane.Slice(iy * w, w);
                        var srcRow = src.Slice(y * outW, outW);
                        for (int x = 0; x < outW; x++)
                        {
                            int ix = x * win.StrideW + dx;
                            if (ix >= 0 && ix < w) dstRow[ix] += srcRow[x];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Moves a GEMM result laid out [channels, N·P] into channels [first, first + channels) of an
    /// [N, total, P] tensor (<paramref name="gather"/> = false), or back (true).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterChannels(Span<float> product, int channels, int n, int p, Span<float> nchw, int total, int first,
        bool gather = false)
    {
        for (int ch = 0; ch < channels; ch++)
            for (int s = 0; s < n; s++)
            {
                var a = product.Slice((ch * n + s) * p, p);
                var b = nchw.Slice((s * total + first + ch) * p, p);
                if (gather) b.CopyTo(a);
                else a.CopyTo(b);
            }
    }

    /// <summary>
    /// Max pooling of one [C, H, W] image: out and the flat in-plane index of each maximum (first on ties;
    /// NaN wins), stored as a float (exact below 2^24, far beyond any image plane) so it can live in a
    /// pooled tensor. Padding never wins: it counts as −∞; an all-padding window records −1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxPool(ReadOnlySpan<float> image, int channels, int h, int w, in Window2d win,
        Span<float> output, Span<float> argmax)
    {
        int outH = win.OutputH(h), outW = win.OutputW(w);
        if (win is { KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 1, PadTop: 0, PadLeft: 0 })
        {
            MaxPool2x2(image, channels, h, w, output, argmax);
            return;
        }
        for (int c = 0; c < channels; c++)
        {
            var plane = image.Slice(c * h * w, h * w);
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
                            if (bestIndex < 0 || v > best || (float.IsNaN(v) && !float.IsNaN(best)))
                            {
                                best = v;
                                bestIndex = iy * w + ix;
                            }
                        }
                    }
                    output[o] = best;
                    argmax[o] = bestIndex;
                }
            }
        }
    }

    /// <summary>Routes each output gradient to the input element recorded as its window's maximum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxPoolBackward(ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> argmax, int planes, int outPlane, int inPlane,
        Span<float> gradInput)
    {
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < outPlane; i++)
            {
                int at = (int)argmax[pl * outPlane + i];
                if (at >= 0) gradInput[pl * inPlane + at] += gradOutput[pl * outPlane + i];
            }
    }

    /// <summary>The common 2×2, stride-2 case of <see cref="MaxPool"/>, with the same tie and NaN rules.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPool2x2(ReadOnlySpan<float> image, int channels, int h, int w, Span<float> output, Span<float> argmax)
    {
        int outH = h / 2, outW = w / 2, o = 0;
        for (int c = 0; c < channels; c++)
        {
            var plane = image.Slice(c * h * w, h * w);
            for (int y = 0; y < outH; y++)
            {
                int r0 = 2 * y * w, r1 = r0 + w;
                for (int x = 0; x < outW; x++, o++)
                {
                    int i0 = r0 + 2 * x;
                    int best = i0;
                    float v = plane[i0];
                    if (Better(plane[i0 + 1], v)) { best = i0 + 1; v = plane[best]; }
                    if (Better(plane[r1 + 2 * x], v)) { best = r1 + 2 * x; v = plane[best]; }
                    if (Better(plane[r1 + 2 * x + 1], v)) { best = r1 + 2 * x + 1; v = plane[best]; }
                    output[o] = v;
                    argmax[o] = best;
                }
            }
        }
    }

    // A later candidate wins only if strictly larger, or if it is the first NaN (NaN propagates).
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
