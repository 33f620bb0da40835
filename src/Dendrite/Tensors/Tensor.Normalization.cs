using Dendrite.Autograd;
using Dendrite.Autograd.Nodes;
using Dendrite.Kernels;

namespace Dendrite.Tensors;

// Batch normalisation as one differentiable op (NN.Functional.BatchNorm checks the arguments and calls it).
public partial class Tensor
{
    /// <summary>
    /// y = (x − μ)/√(σ² + ε)·γ + β over axis 1 of [N, C, ...], then max(·, 0) with <paramref name="relu"/>, in
    /// two passes over x (<see cref="Normalization"/>): with <paramref name="batchStatistics"/> μ and σ² are the
    /// batch's (biased variance) and, when given, the running estimates move by <paramref name="momentum"/>
    /// (the unbiased variance for running_var); otherwise the running estimates are used. γ and β may be null
    /// (1 and 0). The caller has checked the shapes.
    /// </summary>
    internal static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool batchStatistics, float momentum, float eps, bool relu)
    {
        int n = input.Shape[0], c = input.Shape[1], s = n * c == 0 ? 0 : input.Numel / (n * c);
        var x = input.ContiguousNoGrad();
        var mean = Uninitialized(Shape.Of([c]));
        var variance = Uninitialized(Shape.Of([c]));
        if (batchStatistics)
        {
            Normalization.Statistics(x.Span, n, c, s, mean.Span, variance.Span);
            if (runningMean is not null)
            {
                using var noGrad = GradMode.NoGrad();
                long count = (long)n * s;
                runningMean.Mul_(1 - momentum).Add_(mean, momentum);
                runningVar!.Mul_(1 - momentum).Add_(variance * (count / (float)(count - 1)), momentum);
            }
        }
        else
        {
            runningMean!.ContiguousNoGrad().Span[..c].CopyTo(mean.Span);
            runningVar!.ContiguousNoGrad().Span[..c].CopyTo(variance.Span);
        }
        // a = γ/√(σ² + ε), b = β − μ·a: then y = x·a + b is one fused multiply-add per element.
        var invStd = Uninitialized(Shape.Of([c]));
        var a = Uninitialized(Shape.Of([c]));
        var b = Uninitialized(Shape.Of([c]));
        var gamma = weight?.ContiguousNoGrad();
        var beta = bias?.ContiguousNoGrad();
        for (int ch = 0; ch < c; ch++)
        {
            float inv = 1f / MathF.Sqrt(variance.Span[ch] + eps);
            invStd.Span[ch] = inv;
            a.Span[ch] = gamma is null ? inv : gamma.Span[ch] * inv;
            b.Span[ch] = (beta is null ? 0f : beta.Span[ch]) - mean.Span[ch] * a.Span[ch];
        }
        var result = Uninitialized(input.Shape);
        Normalization.Apply(x.Span, n, c, s, a.Span, b.Span, relu, result.Span);
        bool record = bias is null ? ShouldRecord(input) || (weight is not null && ShouldRecord(weight)) :
            ShouldRecord(input) || ShouldRecord(bias) || (weight is not null && ShouldRecord(weight));
        return record
            ? result.WithGradFn(new BatchNormBackward(input, weight, bias, new BatchNormSaved(mean, invStd, a, b, batchStatistics, relu)))
            : result;
    }
}
