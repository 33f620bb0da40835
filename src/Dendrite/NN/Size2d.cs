namespace Dendrite.NN;

/// <summary>A height × width pair (kernel size, stride, dilation); an int means the same for both, as in PyTorch.</summary>
public readonly record struct Size2d(int H, int W)
{
    public static implicit operator Size2d(int size) => new(size, size);

    public static implicit operator Size2d((int H, int W) size) => new(size.H, size.W);

    public override string ToString() => $"({H}, {W})";

    /// <summary>"3" for a square size, "(3, 5)" otherwise: how error messages show a size a user may have written as one int.</summary>
    internal string ToShortString() => H == W ? H.ToString(System.Globalization.CultureInfo.InvariantCulture) : ToString();
}

/// <summary>
/// The zero padding on each side of a 2-d window as it is applied, "same" resolved (ONNX's <c>pads</c> in
/// the order top, left, bottom, right): what a convolution or pooling layer actually computes with.
/// </summary>
public readonly record struct Pads2d(int Top, int Left, int Bottom, int Right)
{
    public override string ToString() => $"({Top}, {Left}, {Bottom}, {Right})";

    internal static Pads2d Of(in Kernels.Window2d window) => new(window.PadTop, window.PadLeft, window.PadBottom, window.PadRight);
}

/// <summary>
/// Zero padding of a 2-d window: explicit (an int or a (height, width) pair, applied on both sides) or
/// <see cref="Same"/>, which pads so a stride-1 output keeps the input's size (extra padding, when the
/// total is odd, goes to the bottom/right — PyTorch's rule).
/// </summary>
public readonly record struct Padding2d(int H, int W, bool IsSame = false)
{
    /// <summary>Pad so that the output has the input's spatial size (stride 1 only).</summary>
    public static Padding2d Same { get; } = new(0, 0, true);

    public static implicit operator Padding2d(int padding) => new(padding, padding);

    public static implicit operator Padding2d((int H, int W) padding) => new(padding.H, padding.W);

    public override string ToString() => IsSame ? "same" : $"({H}, {W})";

    /// <summary>The window geometry for a kernel/stride/dilation with this padding.</summary>
    internal Kernels.Window2d Window(Size2d kernel, Size2d stride, Size2d dilation, string op)
    {
        if (kernel.H < 1 || kernel.W < 1) throw new ArgumentException($"{op}: kernel size must be positive, got {kernel}");
        if (stride.H < 1 || stride.W < 1) throw new ArgumentException($"{op}: stride must be positive, got {stride}");
        if (dilation.H < 1 || dilation.W < 1) throw new ArgumentException($"{op}: dilation must be positive, got {dilation}");
        if (!IsSame)
        {
            if (H < 0 || W < 0) throw new ArgumentException($"{op}: padding must not be negative, got {this}");
            return new(kernel.H, kernel.W, stride.H, stride.W, dilation.H, dilation.W, H, W, H, W);
        }
        if (stride.H != 1 || stride.W != 1)
            throw new ArgumentException($"{op}: padding \"same\" needs stride 1, got stride {stride.ToShortString()}");
        int totalH = dilation.H * (kernel.H - 1), totalW = dilation.W * (kernel.W - 1);
        return new(kernel.H, kernel.W, 1, 1, dilation.H, dilation.W, totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2);
    }
}
