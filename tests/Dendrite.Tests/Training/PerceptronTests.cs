using Dendrite.Autograd;
using Dendrite.Data.Datasets;
using Dendrite.NN;
using Dendrite.Training;

namespace Dendrite.Tests.Training;

public class PerceptronTests
{
    [Fact]
    public void LearnsAndAndOr()
    {
        foreach (var table in new[] { TruthTables.And(), TruthTables.Or() })
        {
            var perceptron = new PerceptronRule(2);
            var mistakes = perceptron.Fit(table.Inputs, table.Targets, epochs: 100, eta: 0.5f);
            Assert.Equal(0, mistakes[^1]);
            Assert.True(mistakes.Count < 100);
            Assert.True(mistakes[0] > 0);
            Assert.Equal(table.Targets.Reshape(-1).ToArray(), perceptron.Predict(table.Inputs).ToArray());
        }
    }

    [Fact]
    public void NeverLearnsXor()
    {
        // Minsky–Papert: no line separates XOR, so every pass makes a mistake and no weights fit all four.
        var xor = TruthTables.Xor();
        var perceptron = new PerceptronRule(2);
        var mistakes = perceptron.Fit(xor.Inputs, xor.Targets, epochs: 1000);
        Assert.Equal(1000, mistakes.Count);
        Assert.All(mistakes, m => Assert.True(m > 0));
        var correct = perceptron.Predict(xor.Inputs).Eq(xor.Targets.Reshape(-1)).Sum().Item();
        Assert.True(correct < 4);
    }

    [Fact]
    public void FollowsTheRuleByHand()
    {
        // One pass over AND with η = 1 from zero weights: w·x + b = 0 is not > 0, so y = 0 for every sample;
        // (0,0), (0,1), (1,0) are right (t = 0) and change nothing; (1,1) has t = 1: w += (1,1), b += 1.
        var and = TruthTables.And();
        var perceptron = new PerceptronRule(2);
        var mistakes = perceptron.Fit(and.Inputs, and.Targets, epochs: 1);
        Assert.Equal([1], mistakes);
        Assert.Equal([1f, 1f], perceptron.Weights.ToArray());
        Assert.Equal(1f, perceptron.Bias);
    }

    [Fact]
    public void RejectsBadInput()
    {
        var p = new PerceptronRule(2);
        var e = Assert.Throws<ArgumentException>(() => p.Predict(Tensor.Zeros(4, 3)));
        Assert.Contains("2 features", e.Message);
        Assert.Contains("[4,3]", e.Message);
        Assert.Throws<ArgumentException>(() => p.Fit(Tensor.Zeros(4, 2), Tensor.Zeros(3), 5));
        Assert.Throws<ArgumentException>(() => p.Fit(Tensor.Zeros(2, 2), Tensor.FromArray([0f, 2f]), 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Fit(Tensor.Zeros(2, 2), Tensor.Zeros(2), 5, eta: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerceptronRule(0));
    }

    [Fact]
    public void SigmoidNeuronLearnsXorOnTheProductFeature()
    {
        // XOR = x₁ + x₂ − 2x₁x₂ is linear in (x₁, x₂, x₁x₂), so one sigmoid neuron can fit it there.
        var xor = TruthTables.Xor();
        var x = xor.Inputs;
        var features = Tensor.Cat([x, (x.Select(1, 0) * x.Select(1, 1)).Unsqueeze(1)], 1);
        Assert.Equal(new Shape([4, 3]), features.Shape);
        var w = new Parameter(Tensor.Zeros(3, 1));
        var b = new Parameter(Tensor.Zeros(1));
        var sgd = new PlainSgd([w, b], 2f);
        for (int step = 0; step < 2000; step++)
        {
            sgd.ZeroGrad();
            var y = (features.MatMul(w) + b).Sigmoid();
            var loss = (y - xor.Targets).Square().Mean();
            loss.Backward();
            sgd.Step();
        }
        using var noGrad = GradMode.NoGrad();
        var output = (features.MatMul(w) + b).Sigmoid();
        Assert.Equal(xor.Targets.ToArray(), output.Gt(0.5f).ToArray());
        Assert.True((output - xor.Targets).Abs().Max().Item() < 0.2f);
    }

    [Fact]
    public void DeltaRuleMatchesAutogradStepByStep()
    {
        double[,] x = { { 1, 0.1, -0.2 }, { 1, -0.1, 0.9 }, { 1, 1.2, 0.1 }, { 1, 1.1, 1.5 } };
        double[] t = [0, 0, 0, 1];
        double[] hand = [1, -1, 1];
        const double eta = 0.5;
        var inputs = Tensor.FromArray(new float[,] { { 1, 0.1f, -0.2f }, { 1, -0.1f, 0.9f }, { 1, 1.2f, 0.1f }, { 1, 1.1f, 1.5f } });
        var targets = Tensor.FromArray([0f, 0f, 0f, 1f]);
        var w = new Parameter(Tensor.FromArray([1f, -1f, 1f]));
        var sgd = new PlainSgd([w], (float)eta);

        double firstError = 0, lastError = 0;
        for (int step = 0; step < 6; step++)
        {
            // By hand: y_i = σ(Σ_p x_ip w_p), E = Σ_i (y_i − t_i)², dE/dw_p = Σ_i 2·x_ip·(y_i − t_i)·y_i·(1 − y_i).
            var y = new double[4];
            double error = 0;
            for (int i = 0; i < 4; i++)
            {
                double s = 0;
                for (int p = 0; p < 3; p++) s += x[i, p] * hand[p];
                y[i] = 1 / (1 + Math.Exp(-s));
                error += (y[i] - t[i]) * (y[i] - t[i]);
            }
            var gradient = new double[3];
            for (int p = 0; p < 3; p++)
                for (int i = 0; i < 4; i++) gradient[p] += 2 * x[i, p] * (y[i] - t[i]) * y[i] * (1 - y[i]);

            sgd.ZeroGrad();
            var loss = (inputs.MatMul(w).Sigmoid() - targets).Square().Sum();
            loss.Backward();
            Assert.Equal(error, loss.Item(), 1e-5);
            var auto = w.Grad!.ToArray();
            for (int p = 0; p < 3; p++) Assert.Equal(gradient[p], auto[p], 1e-5);

            sgd.Step();
            for (int p = 0; p < 3; p++) hand[p] -= eta * gradient[p];
            var weights = w.ToArray();
            for (int p = 0; p < 3; p++) Assert.Equal(hand[p], weights[p], 1e-5);
            if (step == 0) firstError = error;
            lastError = error;
        }
        Assert.True(lastError < firstError);
    }
}
