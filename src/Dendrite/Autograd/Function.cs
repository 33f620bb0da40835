using Dendrite.Tensors;

namespace Dendrite.Autograd;

/// <summary>
/// A differentiable operation with a backward pass written by hand, like PyTorch's
/// <c>torch.autograd.Function</c>: subclass it, write <see cref="Forward"/> and <see cref="Backward"/>, and
/// call <see cref="Apply"/>. Use it for an op the library lacks, or to give a composite op a cheaper or more
/// stable gradient than the one autograd would derive from its parts.
/// </summary>
/// <example>
/// A cube op, x³, whose gradient is 3x²:
/// <code>
/// public sealed class Cube : Function
/// {
///     public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
///     {
///         var x = inputs[0];
///         ctx.SaveForBackward(x);
///         return x * x * x;
///     }
///
///     public override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
///     {
///         var x = ctx.SavedTensors[0];
///         return [gradOutput * 3f * x * x];
///     }
/// }
///
/// var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
/// var y = new Cube().Apply(x);                            // tensor([1., 8.], grad_fn=&lt;CubeBackward&gt;)
/// y.Sum().Backward();                                     // x.Grad = [3., 12.]
/// GradCheck.Assert(t => new Cube().Apply(t[0]), [x]);     // the hand-written gradient agrees with finite differences
/// </code>
/// </example>
/// <remarks>
/// <see cref="Apply"/> runs <see cref="Forward"/> with grad mode off (its inner ops record nothing) and then,
/// exactly as a built-in op does, records one node — shown as <c>{ClassName}Backward</c> — only when grad
/// mode is on and some input requires a gradient; otherwise the result is returned as it is, with no graph.
/// <see cref="Backward"/> also runs with grad mode off, so an op defined this way is differentiated once
/// (no gradient of its gradient). It returns one gradient per input, shaped like that input, or null for an
/// input that needs none (<see cref="FunctionContext.NeedsInputGrad"/> tells which are needed).
/// Settings that are not tensors (a scale, an axis) belong in the subclass's constructor, so one instance
/// can be applied any number of times; per-call values go into the context
/// (<see cref="FunctionContext.SaveForBackward"/>, <see cref="FunctionContext.Values"/>). The op has one
/// output. Its inputs must not be changed in place between the forward and the backward pass: the backward
/// pass checks them, and the saved tensors, and refuses to run on changed values.
/// </remarks>
public abstract class Function
{
    /// <summary>
    /// Computes the output from <paramref name="inputs"/> (runs with grad mode off), saving in
    /// <paramref name="ctx"/> what <see cref="Backward"/> will need.
    /// </summary>
    public abstract Tensor Forward(FunctionContext ctx, params Tensor[] inputs);

    /// <summary>
    /// Given dL/d(output), returns dL/d(input) for each input in order — shaped like that input — or null for
    /// an input that needs no gradient. Runs with grad mode off.
    /// </summary>
    public abstract Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput);

    /// <summary>Runs the op on <paramref name="inputs"/> and, when a gradient is wanted, records it in the graph.</summary>
    public Tensor Apply(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"{GetType().Name}: input {i} is null");
        bool record = Tensor.ShouldRecord(inputs);
        var ctx = new FunctionContext(inputs, record, GetType().Name);
        Tensor output;
        using (GradMode.NoGrad()) output = Forward(ctx, inputs);
        if (output is null) throw new InvalidOperationException($"{GetType().Name}: Forward returned null instead of a tensor");
        if (!record) return output;
        // The node goes on a tensor object of its own: Forward may return one of its inputs, or a tensor that
        // is already a leaf or another node's output, and neither may be re-parented.
        if (output.RequiresGrad || Array.IndexOf(inputs, output) >= 0) output = output.Detach();
        return output.WithGradFn(new FunctionBackward(this, ctx, (Tensor[])inputs.Clone()));
    }

    /// <summary>The graph node of one application: hands the gradient to the function's own backward.</summary>
    private sealed class FunctionBackward(Function function, FunctionContext ctx, Tensor[] inputs) : Node(inputs)
    {
        private FunctionContext? context = ctx;

        public override string Name => function.GetType().Name + "Backward";

        // The subclass's Backward is user code: it may keep the gradients it sees.
        internal override bool MayKeepGradients => true;

        protected internal override Tensor?[] Backward(Tensor gradOutput)
        {
            var grads = function.Backward(context ?? throw new InvalidOperationException($"{Name}: the graph was released"), gradOutput)
                ?? throw new InvalidOperationException($"{Name}: Backward returned null instead of one gradient per input");
            if (grads.Length != Inputs.Count)
                throw new InvalidOperationException(
                    $"{Name}: Backward returned {grads.Length} gradient(s) for {Inputs.Count} input(s); return one per input, null where none is needed");
            return grads;
        }

        private protected override void OnRetired() => context = null;
    }
}
