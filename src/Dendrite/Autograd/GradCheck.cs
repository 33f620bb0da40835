using System.Globalization;
using System.Text;
using Dendrite.Tensors;

namespace Dendrite.Autograd;

/// <summary>The outcome of a <see cref="GradCheck"/> run.</summary>
/// <param name="Passed">True when every analytic derivative matched its finite-difference estimate.</param>
/// <param name="MaxAbsError">The largest |analytic − numeric| seen.</param>
/// <param name="Message">The first mismatches, or "ok".</param>
public sealed record GradCheckResult(bool Passed, double MaxAbsError, string Message);

/// <summary>
/// Compares the gradients that autograd computes with central finite differences, entry by entry of the
/// Jacobian, in the manner of PyTorch's <c>torch.autograd.gradcheck</c>. Because Dendrite computes in
/// float32, the default step and tolerances are looser than PyTorch's float64 ones: a derivative passes
/// when |analytic − numeric| ≤ atol + rtol·|numeric|. Inputs may be non-contiguous views; only those
/// with <see cref="Tensor.RequiresGrad"/> are checked. Avoid points where the function has a kink that
/// the op does not define as the mean of its one-sided slopes (ReLU or Clamp exactly at a corner).
/// </summary>
public static class GradCheck
{
    /// <summary>Runs the check and returns its result.</summary>
    public static GradCheckResult Check(Func<Tensor[], Tensor> function, Tensor[] inputs,
        float eps = 1e-3f, double atol = 1e-3, double rtol = 1e-2)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!(eps > 0)) throw new ArgumentException($"GradCheck: eps must be positive, got {eps}");

        foreach (var x in inputs) x.Grad = null;
        var output = function(inputs);
        int outCount = output.Numel;
        var checkedInputs = Enumerable.Range(0, inputs.Length).Where(i => inputs[i].RequiresGrad).ToArray();
        if (checkedInputs.Length == 0) throw new ArgumentException("GradCheck: no input requires a gradient");

        // Analytic Jacobian, one backward pass per output element: row j holds d out[j] / d inputs.
        var analytic = new double[outCount][][];
        for (int j = 0; j < outCount; j++)
        {
            foreach (var x in inputs) x.Grad = null;
            if (output.RequiresGrad)
            {
                var seed = Tensor.Zeros(output.Shape);
                seed.Data[j] = 1f;
                output.Backward(seed, retainGraph: true);
            }
            analytic[j] = checkedInputs.Select(i => ToDoubles(inputs[i].Grad, inputs[i].Numel)).ToArray();
        }
        foreach (var x in inputs) x.Grad = null;

        double maxError = 0;
        var failures = new StringBuilder();
        int failureCount = 0;
        using var noGrad = GradMode.NoGrad();
        for (int c = 0; c < checkedInputs.Length; c++)
        {
            var x = inputs[checkedInputs[c]];
            var offsets = x.ElementOffsets();
            for (int e = 0; e < offsets.Length; e++)
            {
                // Each nudge is an in-place write: it bumps the version, as any other would, so nothing
                // derived from the old values (a weight packed for the GEMM) is used.
                float original = x.Data[offsets[e]];
                x.Data[offsets[e]] = original + eps;
                x.Storage.MarkModified();
                var plus = function(inputs).ToArray();
                x.Data[offsets[e]] = original - eps;
                x.Storage.MarkModified();
                var minus = function(inputs).ToArray();
                x.Data[offsets[e]] = original;
                x.Storage.MarkModified();
                // The step actually taken in float32 may differ from 2·eps; divide by the real one.
                double step = (double)(original + eps) - (double)(original - eps);
                for (int j = 0; j < outCount; j++)
                {
                    double numeric = ((double)plus[j] - minus[j]) / step;
                    double exact = analytic[j][c][e];
                    double error = Math.Abs(exact - numeric);
                    if (double.IsNaN(error) && double.IsNaN(exact) == double.IsNaN(numeric)) error = 0;
                    maxError = Math.Max(maxError, double.IsNaN(error) ? double.PositiveInfinity : error);
                    if (!(error <= atol + rtol * Math.Abs(numeric)))
                    {
                        if (failureCount++ < 5)
                            failures.AppendLine(CultureInfo.InvariantCulture,
                                $"d output[{j}] / d input{checkedInputs[c]}[{e}]: analytic {exact:G6}, numeric {numeric:G6}");
                    }
                }
            }
        }
        return failureCount == 0
            ? new GradCheckResult(true, maxError, "ok")
            : new GradCheckResult(false, maxError, $"GradCheck: {failureCount} derivative(s) disagree\n{failures}");
    }

    private static double[] ToDoubles(Tensor? grad, int numel) =>
        grad is null ? new double[numel] : Array.ConvertAll(grad.ToArray(), v => (double)v);

    /// <summary>Runs the check and throws an exception listing the first mismatches when it fails.</summary>
    public static void Assert(Func<Tensor[], Tensor> function, Tensor[] inputs,
        float eps = 1e-3f, double atol = 1e-3, double rtol = 1e-2)
    {
        var result = Check(function, inputs, eps, atol, rtol);
        if (!result.Passed) throw new InvalidOperationException(result.Message);
    }
}
