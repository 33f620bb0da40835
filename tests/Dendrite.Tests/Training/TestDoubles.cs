using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Losses;
using Dendrite.Optim;

namespace Dendrite.Tests.Training;

// Small stand-ins for Linear, MSELoss and SGD, which are written on other branches; the trainer tests
// need only something differentiable to train.

/// <summary>y = x·W + b with W [in,out] and b [out].</summary>
internal sealed class TinyLinear : Module
{
    public TinyLinear(int inputs, int outputs, Generator generator)
    {
        Weight = RegisterParameter("weight", new Parameter(Tensor.Randn(generator, inputs, outputs) * 0.1f));
        Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(outputs)));
    }

    public Parameter Weight { get; }
    public Parameter Bias { get; }

    public override Tensor Forward(Tensor input) => input.MatMul(Weight) + Bias;
}

/// <summary>mean((input − target)²), shapes must agree.</summary>
internal sealed class SquaredError : Loss
{
    public override Tensor Forward(Tensor input, Tensor target)
    {
        if (input.Shape != target.Shape)
            throw new ArgumentException($"SquaredError: input {input.Shape} and target {target.Shape} differ");
        return Reduce((input - target).Square());
    }
}

/// <summary>p ← p − lr·∇p.</summary>
internal sealed class PlainSgd(IEnumerable<Parameter> parameters, float learningRate) : Optimizer(parameters, learningRate)
{
    public override void Step()
    {
        using var noGrad = GradMode.NoGrad();
        foreach (var p in Parameters)
            if (p.Grad is { } g) p.Add_(g, -LearningRate);
    }
}
