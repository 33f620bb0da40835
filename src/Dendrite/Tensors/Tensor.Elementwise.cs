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
    public static Tensor Add(Tensor a, Tensor b) => Record(Zip(a, b, default(AddOp), "Add"), a, b, static (x, y) => new AddBackward(x, y));

    /// <summary>a − b, broadcast.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => Record(Zip(a, b, default(SubOp), "Sub"), a, b, static (x, y) => new SubBackward(x, y));

    /// <summary>a · b element by element, broadcast.</summary>
    public static Tensor Mul(Tensor a, Tensor b) => Record(Zip(a, b, default(MulOp), "Mul"), a, b, static (x, y) => new MulBackward(x, y));

    /// <summary>a / b element by element, broadcast (x/0 is ±∞ or NaN, as IEEE says).</summary>
    public static Tensor Div(Tensor a, Tensor b) => Record(Zip(a, b, default(DivOp), "Div"), a, b, static (x, y) => new DivBackward(x, y));

    /// <summary>a^b element by element, broadcast.</summary>
    public static Tensor Pow(Tensor a, Tensor b)
    {
        var result = Zip(a, b, default(PowOp), "Pow");
        return ShouldRecord(a, b) ? result.WithGradFn(new PowBackward(a, b, result)) : result;
    }

    /// <summary>The larger of a and b element by element (NaN wins); on a tie the gradient is shared equally.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Record(Zip(a, b, default(MaximumOp), "Maximum"), a, b, static (x, y) => new MaximumBackward(x, y, isMax: true));

    /// <summary>The smaller of a and b element by element (NaN wins); on a tie the gradient is shared equally.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Record(Zip(a, b, default(MinimumOp), "Minimum"), a, b, static (x, y) => new MaximumBackward(x, y, isMax: false));

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
    public Tensor Neg() => Record(Map(default(NegOp)), static x => new NegBackward(x));

    /// <summary>x^p for a constant exponent p.</summary>
    public Tensor Pow(float exponent)
    {
        var result = Map(new PowScalarOp(exponent));
        return ShouldRecord(this) ? result.WithGradFn(new PowScalarBackward(this, exponent)) : result;
    }

    /// <summary>x².</summary>
    public Tensor Square() => Pow(2f);

    /// <summary>e^x.</summary>
    public Tensor Exp()
    {
        var result = Map(default(ExpOp));
        return ShouldRecord(this) ? result.WithGradFn(new ExpBackward(this, result)) : result;
    }

    /// <summary>Natural logarithm (log 0 = −∞, log of a negative number = NaN).</summary>
    public Tensor Log() => Record(Map(default(LogOp)), static x => new LogBackward(x));

    /// <summary>Square root.</summary>
    public Tensor Sqrt()
    {
        var result = Map(default(SqrtOp));
        return ShouldRecord(this) ? result.WithGradFn(new SqrtBackward(this, result)) : result;
    }

    /// <summary>|x|; its gradient at 0 is 0 (the subgradient PyTorch picks).</summary>
    public Tensor Abs() => Record(Map(default(AbsOp)), static x => new AbsBackward(x));

    /// <summary>−1, 0 or 1 by the sign of x (NaN stays NaN); its gradient is zero everywhere.</summary>
    public Tensor Sign() => Record(Map(default(SignOp)), static x => new SignBackward(x));

    /// <summary>Limits x to [min, max]; either bound may be omitted. The gradient passes inside the bounds, including at them.</summary>
    public Tensor Clamp(float? min = null, float? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("Clamp: give at least one of min and max");
        float lo = min ?? float.NegativeInfinity, hi = max ?? float.PositiveInfinity;
        if (lo > hi) throw new ArgumentException($"Clamp: min ({lo}) is greater than max ({hi})");
        var result = Map(new ClampOp(lo, hi));
        return ShouldRecord(this) ? result.WithGradFn(new ClampBackward(this, lo, hi)) : result;
    }

    /// <summary>The logistic function σ(x) = 1 / (1 + e^−x), computed without overflow.</summary>
    public Tensor Sigmoid()
    {
        var result = Map(default(SigmoidOp));
        return ShouldRecord(this) ? result.WithGradFn(new SigmoidBackward(this, result)) : result;
    }

    /// <summary>The hyperbolic tangent.</summary>
    public Tensor Tanh()
    {
        var result = Map(default(TanhOp));
        return ShouldRecord(this) ? result.WithGradFn(new TanhBackward(this, result)) : result;
    }

    /// <summary>max(x, 0); its gradient at 0 is 0, as in PyTorch.</summary>
    public Tensor Relu() => Record(Map(default(ReluOp)), static x => ReluBackward.Create(x));

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
        if (requiresGrad && GradMode.IsEnabled)
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

    private Tensor Record(Tensor result, Func<Tensor, Node> node) =>
        ShouldRecord(this) ? result.WithGradFn(node(this)) : result;

    private static Tensor Record(Tensor result, Tensor a, Tensor b, Func<Tensor, Tensor, Node> node) =>
        ShouldRecord(a, b) ? result.WithGradFn(node(a, b)) : result;

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
