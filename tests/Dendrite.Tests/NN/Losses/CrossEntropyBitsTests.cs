using Dendrite.NN.Losses;

namespace Dendrite.Tests.NN.Losses;

public sealed class CrossEntropyBitsTests
{
    [Fact]
    public void Bits_IsTheNaturalLogLossOverLn2_WithTheCoursesExample()
    {
        // Probabilities 0.01 and 0.99 on two classes, the right one the unlikely one: −log₂ 0.01 = 6.64 bits.
        var logits = Tensor.FromArray([MathF.Log(0.01f), MathF.Log(0.99f)], 1, 2).RequiresGrad_();
        var target = Tensor.FromArray([0f], 1);
        var bits = new CrossEntropyLoss(bits: true).Forward(logits, target);
        Assert.Equal(6.64, bits.Item(), 2);
        var nats = new CrossEntropyLoss().Forward(logits, target);
        Assert.Equal(nats.Item() / Math.Log(2), bits.Item(), 5);

        bits.Backward();
        float[] inBits = logits.Grad!.ToArray();
        logits.Grad = null;
        new CrossEntropyLoss().Forward(logits, target).Backward();
        float[] inNats = logits.Grad!.ToArray();
        for (int i = 0; i < 2; i++) Assert.Equal(inNats[i] / Math.Log(2), inBits[i], 5);
        Assert.Contains("bits=True", new CrossEntropyLoss(bits: true).ToString());
    }
}
