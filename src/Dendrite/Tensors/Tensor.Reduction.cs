using Dendrite.Autograd.Nodes;
using Dendrite.Kernels;

namespace Dendrite.Tensors;

// Reductions over any set of axes. null or an empty axis list means every axis (as in PyTorch).
public partial class Tensor
{
    /// <summary>Sum of all elements (a scalar).</summary>
    public Tensor Sum() => Sum(null);

    /// <summary>Sum over one axis.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>Sum over the given axes; with <paramref name="keepDim"/> they stay as size-1 dimensions.</summary>
    public Tensor Sum(int[]? axes, bool keepDim = false)
    {
        var plan = PlanReduction(axes, "Sum");
        var result = Make(plan.OutputShape(keepDim));
        Reduce.Sum(plan.Source.Span, plan.Outer, plan.N, plan.Inner, result.Data);
        return ShouldRecord(this) ? result.WithGradFn(new SumBackward(this, plan.KeepShape)) : result;
    }

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Mean(null);

    /// <summary>Mean over one axis.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);

    /// <summary>Mean over the given axes (NaN over an empty set, as in PyTorch).</summary>
    public Tensor Mean(int[]? axes, bool keepDim = false)
    {
        int n = PlanReduction(axes, "Mean").N;
        return Sum(axes, keepDim) / n;
    }

    /// <summary>The largest element (its gradient is shared equally among tied maxima).</summary>
    public Tensor Max() => Amax(null);

    /// <summary>The smallest element.</summary>
    public Tensor Min() => Amin(null);

    /// <summary>Largest values over the given axes (PyTorch's amax: ties share the gradient equally).</summary>
    public Tensor Amax(int[]? axes, bool keepDim = false) => Extreme(axes, keepDim, max: true);

    /// <summary>Smallest values over the given axes (PyTorch's amin).</summary>
    public Tensor Amin(int[]? axes, bool keepDim = false) => Extreme(axes, keepDim, max: false);

    /// <summary>Largest values along <paramref name="axis"/> and the index of each (first one on ties); the gradient goes to that index.</summary>
    public (Tensor Values, Tensor Indices) Max(int axis, bool keepDim = false) => ExtremeWithIndices(axis, keepDim, max: true);

    /// <summary>Smallest values along <paramref name="axis"/> and the index of each.</summary>
    public (Tensor Values, Tensor Indices) Min(int axis, bool keepDim = false) => ExtremeWithIndices(axis, keepDim, max: false);

    /// <summary>Index of the largest element of the flattened tensor.</summary>
    public Tensor ArgMax() => Reshape(-1).Max(0).Indices;

    /// <summary>Index of the largest element along <paramref name="axis"/>, as a float tensor of whole numbers.</summary>
    public Tensor ArgMax(int axis, bool keepDim = false) => Max(axis, keepDim).Indices;

    /// <summary>Index of the smallest element of the flattened tensor.</summary>
    public Tensor ArgMin() => Reshape(-1).Min(0).Indices;

    /// <summary>Index of the smallest element along <paramref name="axis"/>.</summary>
    public Tensor ArgMin(int axis, bool keepDim = false) => Min(axis, keepDim).Indices;

    /// <summary>log Σ exp(x) over the given axes, computed stably as m + log Σ exp(x − m).</summary>
    public Tensor LogSumExp(int[]? axes, bool keepDim = false)
    {
        var plan = PlanReduction(axes, "LogSumExp");
        var result = Make(plan.OutputShape(keepDim));
        Reduce.LogSumExp(plan.Source.Span, plan.Outer, plan.N, plan.Inner, result.Data);
        return ShouldRecord(this) ? result.WithGradFn(new LogSumExpBackward(this, result, plan.KeepShape)) : result;
    }

    /// <summary>log Σ exp(x) over one axis.</summary>
    public Tensor LogSumExp(int axis, bool keepDim = false) => LogSumExp([axis], keepDim);

    /// <summary>
    /// Variance over the given axes: Σ(x − mean)² / (N − <paramref name="correction"/>); correction 1 is
    /// the unbiased estimate (PyTorch's default), 0 the population variance.
    /// </summary>
    public Tensor Var(int[]? axes = null, int correction = 1, bool keepDim = false)
    {
        int n = PlanReduction(axes, "Var").N;
        var centered = this - Mean(axes, keepDim: true);
        return (centered * centered).Sum(axes, keepDim) / Math.Max(0, n - correction);
    }

    /// <summary>Variance over one axis.</summary>
    public Tensor Var(int axis, int correction = 1, bool keepDim = false) => Var([axis], correction, keepDim);

    /// <summary>Standard deviation: the square root of <see cref="Var(int[], int, bool)"/>.</summary>
    public Tensor Std(int[]? axes = null, int correction = 1, bool keepDim = false) => Var(axes, correction, keepDim).Sqrt();

    /// <summary>Standard deviation over one axis.</summary>
    public Tensor Std(int axis, int correction = 1, bool keepDim = false) => Std([axis], correction, keepDim);

    private Tensor Extreme(int[]? axes, bool keepDim, bool max)
    {
        string op = max ? "Amax" : "Amin";
        var plan = PlanReduction(axes, op);
        if (plan.N == 0) throw new ArgumentException($"{op}: cannot reduce over an empty dimension (shape {Shape})");
        var result = Make(plan.OutputShape(keepDim));
        var indices = new int[result.Numel];
        Reduce.ArgExtreme(plan.Source.Span, plan.Outer, plan.N, plan.Inner, max, result.Data, indices);
        return ShouldRecord(this) ? result.WithGradFn(new AmaxBackward(this, result, plan.KeepShape, max)) : result;
    }

    private (Tensor Values, Tensor Indices) ExtremeWithIndices(int axis, bool keepDim, bool max)
    {
        string op = max ? "Max" : "Min";
        int a = Shape.NormalizeAxis(axis, Math.Max(Rank, 1), op);
        var plan = PlanReduction(Rank == 0 ? null : [a], op);
        if (plan.N == 0) throw new ArgumentException($"{op}: cannot reduce over an empty dimension (shape {Shape})");
        var values = Make(plan.OutputShape(keepDim));
        var idx = new int[values.Numel];
        Reduce.ArgExtreme(plan.Source.Span, plan.Outer, plan.N, plan.Inner, max, values.Data, idx);
        var indices = Make(values.Shape);
        for (int i = 0; i < idx.Length; i++) indices.Data[i] = idx[i];
        if (ShouldRecord(this))
            values.WithGradFn(new IndexedExtremeBackward(this, Rank == 0 ? 0 : a, indices.Reshape(plan.KeepShape.ToArray()), plan.KeepShape, max));
        return (values, indices);
    }

    /// <summary>How a reduction sees this tensor: a contiguous block [Outer, N, Inner] reduced over N.</summary>
    private readonly record struct ReductionPlan(Tensor Source, int Outer, int N, int Inner, Shape KeepShape, bool[] Reduced)
    {
        public Shape OutputShape(bool keepDim)
        {
            if (keepDim) return KeepShape;
            var dims = new List<int>();
            for (int d = 0; d < Reduced.Length; d++)
                if (!Reduced[d]) dims.Add(KeepShape[d]);
            return Shape.Of([.. dims]);
        }
    }

    private ReductionPlan PlanReduction(int[]? axes, string op)
    {
        var reduced = new bool[Rank];
        if (axes is null || axes.Length == 0)
        {
            Array.Fill(reduced, true);
        }
        else
        {
            foreach (var axis in axes)
            {
                int a = Shape.NormalizeAxis(axis, Rank, op);
                if (reduced[a]) throw new ArgumentException($"{op}: axis {axis} appears twice in [{string.Join(",", axes)}]");
                reduced[a] = true;
            }
        }

        var keep = Shape.ToArray();
        int first = -1, last = -1, n = 1;
        for (int d = 0; d < Rank; d++)
        {
            if (!reduced[d]) continue;
            if (first < 0) first = d;
            last = d;
            n *= Shape[d];
            keep[d] = 1;
        }
        var keepShape = Shape.Of(keep);
        if (first < 0) return new ReductionPlan(ContiguousNoGrad(), Numel, 1, 1, keepShape, reduced);

        bool block = true;
        for (int d = first; d <= last; d++) block &= reduced[d];
        if (block)
        {
            int outer = 1, inner = 1;
            for (int d = 0; d < first; d++) outer *= Shape[d];
            for (int d = last + 1; d < Rank; d++) inner *= Shape[d];
            return new ReductionPlan(ContiguousNoGrad(), outer, n, inner, keepShape, reduced);
        }

        // Scattered axes: move the kept axes to the front and the reduced ones to the back, then copy.
        var perm = new List<int>();
        for (int d = 0; d < Rank; d++) if (!reduced[d]) perm.Add(d);
        for (int d = 0; d < Rank; d++) if (reduced[d]) perm.Add(d);
        Tensor permuted;
        using (Autograd.GradMode.NoGrad()) permuted = Permute([.. perm]).ContiguousNoGrad();
        return new ReductionPlan(permuted, Numel / Math.Max(n, 1), n, 1, keepShape, reduced);
    }
}
