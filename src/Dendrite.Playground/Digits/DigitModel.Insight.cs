using Dendrite.Autograd;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.Playground.Networks;
using Dendrite.Playground.Web;
using Dendrite.Tensors;

namespace Dendrite.Playground.Digits;

/// <summary>
/// The pad's window into the network, through Dendrite.Insight: where the prediction looks (saliency) and how
/// little a drawing has to change to fool it (FGSM). Both run under the same lock as predictions.
/// </summary>
internal sealed partial class DigitModel
{
    /// <summary>FGSM's step when the page does not choose one: 0.1 of the pixel range, enough to flip most MNIST digits.</summary>
    public const float DefaultEpsilon = 0.1f;

    /// <summary>The largest step the page may ask for: beyond it the "adversarial" image is just noise.</summary>
    public const float MaxEpsilon = 0.5f;

    /// <summary>
    /// |∂ logit / ∂ pixel| for the class <paramref name="target"/> (the predicted one when null), 784 values scaled
    /// so that the largest is 1: the pixels whose change would move that class's score most (Simonyan et al., 2013).
    /// </summary>
    public object Saliency(float[] pixels, int? target)
    {
        if (target is < 0 or > 9) throw HttpError.BadRequest($"target: a class from 0 to 9, got {target}");
        var net = Ready(pixels);
        lock (gate)
        {
            using var scope = new TensorScope();
            var x = Tensor.FromArray(pixels, 1, 1, Side, Side);
            int cls = target ?? ArgMax(Probabilities(net, x));
            var map = Attribution.Saliency(net, x, cls).ToArray();
            float max = map.Max();
            if (max > 0) for (int i = 0; i < map.Length; i++) map[i] /= max;
            return new { target = cls, saliency = Frames.Floats(map) };
        }
    }

    /// <summary>
    /// The fast gradient sign method (Goodfellow et al., 2014) against the predicted class: every pixel moves by
    /// ε in the direction that raises the loss, clamped to [0, 1]. Returns the new image and what the network now says.
    /// </summary>
    public object Adversarial(float[] pixels, float? epsilon)
    {
        float eps = epsilon ?? DefaultEpsilon;
        if (!float.IsFinite(eps) || eps <= 0 || eps > MaxEpsilon) throw HttpError.BadRequest($"epsilon: a step in (0, {MaxEpsilon}], got {eps}");
        var net = Ready(pixels);
        lock (gate)
        {
            using var scope = new TensorScope();
            var x = Tensor.FromArray(pixels, 1, 1, Side, Side);
            var before = Probabilities(net, x);
            int original = ArgMax(before);
            var adversarial = Dendrite.Insight.Adversarial.Fgsm(net, x, Tensor.FromArray([original], 1), eps);
            var after = Probabilities(net, adversarial);
            return new
            {
                epsilon = eps,
                original,
                prediction = ArgMax(after),
                probabilities = after,
                pixels = Frames.Floats(adversarial.ToArray()),
            };
        }
    }

    private static float[] Probabilities(Sequential net, Tensor x)
    {
        using var _ = GradMode.NoGrad();
        return net.Forward(x).Softmax(1).ToArray();
    }
}
