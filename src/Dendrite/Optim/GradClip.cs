using Dendrite.Autograd;
using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Optim;

/// <summary>
/// Gradient clipping, like <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>: call between
/// <c>loss.Backward()</c> and <c>optimizer.Step()</c>. Tensors without a gradient are skipped.
/// </summary>
public static class GradClip
{
    /// <summary>
    /// Rescales all gradients together so that their joint norm is at most <paramref name="maxNorm"/>:
    /// with N = ‖(‖g₁‖ₚ, ‖g₂‖ₚ, ...)‖ₚ (p = <paramref name="normType"/>, default 2; ∞ for the max-norm),
    /// every gradient is multiplied by min(1, maxNorm/(N + 1e-6)). Returns N, the norm before clipping
    /// (0 when no tensor has a gradient). With <paramref name="errorIfNonfinite"/>, a NaN or infinite N throws
    /// instead of spreading NaN into every gradient.
    /// </summary>
    public static float ClipGradNorm(IEnumerable<Tensor> parameters, float maxNorm, float normType = 2f, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0) || float.IsInfinity(maxNorm))
            throw new ArgumentException($"ClipGradNorm: max norm must be non-negative, got {maxNorm}");
        if (!(normType > 0))
            throw new ArgumentException($"ClipGradNorm: norm type must be positive or infinity, got {normType}");
        var grads = Gradients(parameters);
        if (grads.Count == 0) return 0f;

        double total = 0;
        foreach (var g in grads)
        {
            var values = ReadSpan(g);
            total = float.IsPositiveInfinity(normType)
                ? Math.Max(total, OptimizerKernels.MaxAbs(values))
                : total + OptimizerKernels.SumOfPowers(values, normType);
            if (double.IsNaN(total)) break;
        }
        if (!float.IsPositiveInfinity(normType)) total = normType == 2 ? Math.Sqrt(total) : Math.Pow(total, 1.0 / normType);
        float totalNorm = (float)total;
        if (errorIfNonfinite && !float.IsFinite(totalNorm))
            throw new InvalidOperationException(
                $"ClipGradNorm: the total norm of order {normType} of the gradients is {totalNorm}, so they cannot be clipped");
        // PyTorch multiplies even when the coefficient clamps to 1 (a no-op); skipping it changes nothing.
        float coefficient = Math.Min(1f, maxNorm / (totalNorm + 1e-6f));
        if (coefficient < 1f || float.IsNaN(coefficient))
            foreach (var g in grads) Update(g, span => OptimizerKernels.Scale(span, coefficient), t => t * coefficient);
        return totalNorm;
    }

    /// <summary>Clamps every gradient element into [−clipValue, clipValue] (clipValue ≥ 0), in place.</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0) || float.IsInfinity(clipValue))
            throw new ArgumentException($"ClipGradValue: clip value must be non-negative, got {clipValue}");
        foreach (var g in Gradients(parameters))
            Update(g, span => OptimizerKernels.ClampSymmetric(span, clipValue), t => t.Clamp(-clipValue, clipValue));
    }

    private static List<Tensor> Gradients(IEnumerable<Tensor> parameters)
    {
        var result = new List<Tensor>();
        foreach (var p in parameters.Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>())
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parameters));
            if (p.Grad is { } g) result.Add(g);
        }
        return result;
    }

    private static ReadOnlySpan<float> ReadSpan(Tensor g) =>
        (g.IsContiguous ? g : g.ContiguousNoGrad()).Span[..g.Numel];

    /// <summary>Applies an in-place kernel to a contiguous gradient, or writes a computed copy back into a strided one.</summary>
    private static void Update(Tensor g, SpanAction kernel, Func<Tensor, Tensor> compute)
    {
        if (g.IsContiguous)
        {
            kernel(g.Span[..g.Numel]);
            return;
        }
        using var _ = GradMode.NoGrad();
        g.CopyFrom_(compute(g));
    }

    private delegate void SpanAction(Span<float> span);
}
