using Dendrite.Autograd;

namespace Dendrite.Tests.GradCheck;

/// <summary>
/// GradCheck rows for ops defined by a user through the public <see cref="Function"/> API (nothing internal:
/// these classes are written as they would be outside the library).
/// </summary>
public static class CustomFunctionRows
{
    private static int seed = 3000;

    private static Tensor R(params int[] shape) => Tensor.Randn(new Generator((ulong)Interlocked.Increment(ref seed)), shape).RequiresGrad_();

    public static IEnumerable<GradCase> Rows =>
    [
        new("custom cube", t => new Cube().Apply(t[0]), () => [R(2, 3)]),
        new("custom cube in a graph", t => (new Cube().Apply(t[0] * 0.5f) + t[0]).Sum(), () => [R(4)]),
        new("custom swish", t => new Swish().Apply(t[0], t[1]), () => [R(3, 4), R(3, 4)]),
        new("custom swish broadcast beta", t => new Swish().Apply(t[0], t[1].Expand(3, 4)), () => [R(3, 4), R(1, 4)]),
        new("custom swish constant beta", t => new Swish().Apply(t[0], Tensor.Full([3], 1.5f)), () => [R(3)]),
    ];

    /// <summary>x³, with the gradient 3x² written by hand.</summary>
    public sealed class Cube : Function
    {
        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
        {
            var x = inputs[0];
            ctx.SaveForBackward(x);
            return x * x * x;
        }

        public override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
        {
            var x = ctx.SavedTensors[0];
            return [gradOutput * 3f * x * x];
        }
    }

    /// <summary>
    /// Swish, x·σ(βx) (Ramachandran et al., 2017), with a learnable β of x's shape: ∂/∂x = σ + βxσ(1 − σ),
    /// ∂/∂β = x²σ(1 − σ). The sigmoid is saved from the forward pass instead of being computed again.
    /// </summary>
    public sealed class Swish : Function
    {
        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
        {
            var (x, beta) = (inputs[0], inputs[1]);
            var s = (beta * x).Sigmoid();
            ctx.SaveForBackward(x, beta, s);
            return x * s;
        }

        public override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
        {
            var (x, beta, s) = (ctx.SavedTensors[0], ctx.SavedTensors[1], ctx.SavedTensors[2]);
            var slope = s * (1f - s);
            return
            [
                ctx.NeedsInputGrad(0) ? gradOutput * (s + beta * x * slope) : null,
                ctx.NeedsInputGrad(1) ? gradOutput * x * x * slope : null,
            ];
        }
    }
}
