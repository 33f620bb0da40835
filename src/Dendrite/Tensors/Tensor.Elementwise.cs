using Dendrite.Autograd;
using Dendrite.Autograd.Nodes;
using Dendrite.Kernels;

namespace Dendrite.Tensors;

// Element-wise arithmetic with NumPy broadcasting. NaN and ±∞ follow IEEE 754 throughout.
public partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    public static Tensor operator +(Tensor a, float b) => Add(a, Scalar(b));
    public static Tensor operator +(float a, Tensor b) => Add(Scalar(a), b);
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);
    public static Tensor operator -(Tensor a, float b) => Sub(a, Scalar(b));
    public static Tensor operator -(float a, Tensor b) => Sub(Scalar(a), b);
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);
    public static Tensor operator *(Tensor a, float b) => Mul(a, Scalar(b));
    public static Tensor operator *(float a, Tensor b) => Mul(Scalar(a), b);
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);
    public static Tensor operator /(Tensor a, float b) => Div(a, Scalar(b));
    public static Tensor operator /(float a, Tensor b) => Div(Scalar(a), b);
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>a + b, broadcast.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary(a, b, default(AddOp), "Add", static (x, y) => new AddBackward(x, y));

    /// <summary>a − b, broadcast.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => Binary(a, b, default(SubOp), "Sub", static (x, y) => new SubBackward(x, y));

    /// <summary>a · b element by element, broadcast.</summary>
    public static Tensor Mul(Tensor a, Tensor b) => Binary(a, b, default(MulOp), "Mul", static (x, y) => new MulBackward(x, y));

    /// <summary>a / b element by element, broadcast (x/0 is ±∞ or NaN, as IEEE says).</summary>
    public static Tensor Div(Tensor a, Tensor b) => Binary(a, b, default(DivOp), "Div", static (x, y) => new DivBackward(x, y));

    /// <summary>a^b element by element, broadcast.</summary>
    public static Tensor Pow(Tensor a, Tensor b)
    {
        var result = Zip(a, b, default(PowOp), "Pow");
        return ShouldRecord(a, b) ? result.WithGradFn(new PowBackward(a, b, result)) : result;
    }

    /// <summary>The larger of a and b element by element (NaN wins); on a tie the gradient is shared equally.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Binary(a, b, default(MaximumOp), "Maximum", static (x, y) => new MaximumBackward(x, y, isMax: true));

    /// <summary>The smaller of a and b element by element (NaN wins); on a tie the gradient is shared equally.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Binary(a, b, default(MinimumOp), "Minimum", static (x, y) => new MaximumBackward(x, y, isMax: false));

    /// <summary>Picks <paramref name="a"/> where <paramref name="condition"/> is non-zero, else <paramref name="b"/>; all three broadcast.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape, "Where"), b.Shape, "Where");
        var result = Make(shape);
        Elementwise.Ternary(default(WhereOp), shape.AsSpan(),
            condition.Span, condition.BroadcastStrides(shape), a.Span, a.BroadcastStrides(shape),
            b.Span, b.BroadcastStrides(shape), result.Data, result.StridesArray);
        return ShouldRecord(a, b) ? result.WithGradFn(new WhereBackward(condition.Detach(), a, b)) : result;
    }

    public Tensor Add(Tensor other) => Add(this, other);
    public Tensor Sub(Tensor other) => Sub(this, other);
    public Tensor Mul(Tensor other) => Mul(this, other);
    public Tensor Div(Tensor other) => Div(this, other);
    public Tensor Pow(Tensor exponent) => Pow(this, exponent);

    /// <summary>−x.</summary>
    public Tensor Neg() => Unary(default(NegOp), static (x, _) => new NegBackward(x));

    /// <summary>x^p for a constant exponent p.</summary>
    public Tensor Pow(float exponent)
    {
        var result = Map(new PowScalarOp(exponent));
        return ShouldRecord(this) ? result.WithGradFn(new PowScalarBackward(this, exponent)) : result;
    }

    /// <summary>x².</summary>
    public Tensor Square() => Pow(2f);

    /// <summary>e^x.</summary>
    public Tensor Exp() => Unary(default(ExpOp), static (x, y) => new ExpBackward(x, y));

    /// <summary>Natural logarithm (log 0 = −∞, log of a negative number = NaN).</summary>
    public Tensor Log() => Unary(default(LogOp), static (x, _) => new LogBackward(x));

    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Unary(default(SqrtOp), static (x, y) => new SqrtBackward(x, y));

    /// <summary>|x|; its gradient at 0 is 0 (the subgradient PyTorch picks).</summary>
    public Tensor Abs() => Unary(default(AbsOp), static (x, _) => new AbsBackward(x));

    /// <summary>−1, 0 or 1 by the sign of x (NaN stays NaN); its gradient is zero everywhere.</summary>
    public Tensor Sign() => Unary(default(SignOp), static (x, _) => new SignBackward(x));

    /// <summary>Limits x to [min, max]; either bound may be omitted. The gradient passes inside the bounds, including at them.</summary>
    public Tensor Clamp(float? min = null, float? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("Clamp: give at least one of min and max");
        float lo = min ?? float.NegativeInfinity, hi = max ?? float.PositiveInfinity;
        if (lo > hi) throw new ArgumentException($"Clamp: min ({lo}) is greater than max ({hi})");
        var result = Map(new ClampOp(lo, hi));
        return ShouldRecord(this) ? result.WithGradFn(new ClampBackward(this, lo, hi)) : result;
    }

    /// <summary>sin x (radians).</summary>
    public Tensor Sin() => Unary(default(SinOp), static (x, _) => new SinBackward(x));

    /// <summary>1 where this == other, else 0 (broadcast). Masks carry no gradient.</summary>
    public Tensor Eq(Tensor other) => Compare(other, Comparison.Eq, "Eq");
    public Tensor Ne(Tensor other) => Compare(other, Comparison.Ne, "Ne");
    public Tensor Lt(Tensor other) => Compare(other, Comparison.Lt, "Lt");
    public Tensor Le(Tensor other) => Compare(other, Comparison.Le, "Le");
    public Tensor Gt(Tensor other) => Compare(other, Comparison.Gt, "Gt");
    public Tensor Ge(Tensor other) => Compare(other, Comparison.Ge, "Ge");
    public Tensor Eq(float other) => Compare(Scalar(other), Comparison.Eq, "Eq");
    public Tensor Ne(float other) => Compare(Scalar(other), Comparison.Ne, "Ne");
    public Tensor Lt(float other) => Compare(Scalar(other), Comparison.Lt, "Lt");
    public Tensor Le(float other) => Compare(Scalar(other), Comparison.Le, "Le");
    public Tensor Gt(float other) => Compare(Scalar(other), Comparison.Gt, "Gt");
    public Tensor Ge(float other) => Compare(Scalar(other), Comparison.Ge, "Ge");

    private Tensor Compare(Tensor other, Comparison kind, string op) => Zip(this, other, new CompareOp(kind), op);

    // ----- in-place operations (PyTorch's trailing underscore) -----

    /// <summary>Sets every element to <paramref name="value"/>, in place.</summary>
    public Tensor Fill_(float value)
    {
        CheckInPlace("Fill_");
        Elementwise.Fill(ShapeSpan, Span, StridesArray, value);
        return this;
    }

    /// <summary>Sets every element to zero, in place.</summary>
    public Tensor Zero_() => Fill_(0f);

    /// <summary>this += alpha · other (other broadcasts to this tensor's shape), in place.</summary>
    public Tensor Add_(Tensor other, float alpha = 1f)
    {
        CheckInPlace("Add_");
        var src = alpha == 1f ? other : other.MulNoGrad(alpha);
        Elementwise.Binary(default(AddOp), ShapeSpan, Span, StridesArray, src.Span, src.BroadcastStridesInPlace(Shape, "Add_"),
            Span, StridesArray);
        return this;
    }

    /// <summary>this ·= value, in place.</summary>
    public Tensor Mul_(float value)
    {
        CheckInPlace("Mul_");
        var s = Scalar(value);
        Elementwise.Binary(default(MulOp), ShapeSpan, Span, StridesArray, s.Span, s.BroadcastStrides(Shape), Span, StridesArray);
        return this;
    }

    /// <summary>Copies <paramref name="source"/> (broadcast to this shape) into this tensor, in place.</summary>
    public Tensor CopyFrom_(Tensor source)
    {
        CheckInPlace("CopyFrom_");
        Elementwise.Copy(ShapeSpan, source.Span, source.BroadcastStridesInPlace(Shape, "CopyFrom_"), Span, StridesArray);
        return this;
    }

    /// <summary>Copies <paramref name="other"/> (broadcast to this shape) in; skips the graph checks.</summary>
    internal void CopyNoCheck(Tensor other) =>
        Elementwise.Copy(ShapeSpan, other.Span, other.BroadcastStrides(Shape), Span, StridesArray);

    /// <summary>Used by the engine to accumulate gradients; skips the graph checks.</summary>
    internal void AddInPlace(Tensor other) =>
        Elementwise.Binary(default(AddOp), ShapeSpan, Span, StridesArray, other.Span, other.BroadcastStrides(Shape),
            Span, StridesArray);

    private Tensor MulNoGrad(float value)
    {
        using var _ = GradMode.NoGrad();
        return this * value;
    }

    private void CheckInPlace(string op)
    {
        // Changing a value that the graph may have saved would silently corrupt gradients: refuse it for
        // tensors in a graph, and record the change so Backward can catch a saved input changed anyway.
        if (ShouldRecord(this))
            throw new InvalidOperationException(
                $"{op}: a tensor that requires a gradient cannot be changed in place while grad mode is on; " +
                "use GradMode.NoGrad() (as optimizers do) or work on a Detach()ed copy");
        Storage.MarkModified();
    }

    private int[] BroadcastStridesInPlace(Shape target, string op)
    {
        var b = Shape.Broadcast(Shape, target, op);
        if (b != target)
            throw new ArgumentException($"{op}: shape {Shape} cannot be broadcast to the target's shape {target}");
        return BroadcastStrides(target);
    }

    // ----- the plumbing shared by every element-wise op -----

    /// <summary>Strides that read this tensor as if it had the broadcast shape <paramref name="target"/> (0 on broadcast dimensions).</summary>
    internal int[] BroadcastStrides(Shape target)
    {
        // The common case, an operand already of the target shape, reads with its own strides (callers
        // only read the array).
        if (ReferenceEquals(Shape, target) || Shape == target) return StridesArray;
        var strides = new int[target.Rank];
        int lead = target.Rank - Rank;
        for (int d = 0; d < Rank; d++)
            strides[d + lead] = Shape[d] == 1 && target[d + lead] != 1 ? 0 : StridesArray[d];
        return strides;
    }

    internal Tensor Map<TOp>(TOp op) where TOp : unmanaged, IUnaryOperator
    {
        var result = Uninitialized(Shape);
        Elementwise.Unary(op, ShapeSpan, Span, StridesArray, result.Data, result.StridesArray);
        return result;
    }

    /// <summary>
    /// A unary op: op(x) through the driver, and the node <paramref name="node"/>(x, y) when recording, where y
    /// is the result (Exp, Sqrt, Sigmoid and Tanh differentiate from their output; the others ignore it).
    /// </summary>
    private Tensor Unary<TOp>(TOp op, Func<Tensor, Tensor, Node> node) where TOp : unmanaged, IUnaryOperator
    {
        var result = Map(op);
        return ShouldRecord(this) ? result.WithGradFn(node(this, result)) : result;
    }

    /// <summary>A broadcasting binary op: op(a, b) through the driver, and the node <paramref name="node"/>(a, b) when recording.</summary>
    private static Tensor Binary<TOp>(Tensor a, Tensor b, TOp op, string name, Func<Tensor, Tensor, Node> node)
        where TOp : unmanaged, IBinaryOperator
    {
        var result = Zip(a, b, op, name);
        return ShouldRecord(a, b) ? result.WithGradFn(node(a, b)) : result;
    }

    internal static Tensor Zip<TOp>(Tensor a, Tensor b, TOp op, string name) where TOp : unmanaged, IBinaryOperator
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = a.Shape == b.Shape ? a.Shape : Shape.Broadcast(a.Shape, b.Shape, name);
        var result = Uninitialized(shape);
        Elementwise.Binary(op, shape.AsSpan(), a.Span, a.BroadcastStrides(shape), b.Span, b.BroadcastStrides(shape),
            result.Data, result.StridesArray);
        return result;
    }

    /// <summary>Sums a broadcast gradient back down to <paramref name="shape"/> (the one helper every broadcasting backward uses).</summary>
    internal Tensor SumToShape(Shape shape)
    {
        if (Shape == shape) return this;
        int lead = Rank - shape.Rank;
        var axes = new List<int>();
        for (int d = 0; d < Rank; d++)
            if (d < lead || (shape[d - lead] == 1 && Shape[d] != 1)) axes.Add(d);
        var summed = axes.Count > 0 ? Sum([.. axes], keepDim: true) : this;
        return summed.Reshape(shape.ToArray());
    }
}
