using Dendrite.NN;
using Dendrite.Optim;
using Dendrite.Optim.Schedulers;

namespace Dendrite.Tests.Optim;

public class SchedulerTests
{
    private static Sgd Opt(float lr = 0.1f) => new([new Parameter(Tensor.Zeros(1))], lr);

    [Fact]
    public void StepLRDecaysEveryStepSizeEpochs()
    {
        var opt = Opt(1f);
        var s = new StepLR(opt, stepSize: 2, gamma: 0.5f);
        var lrs = new List<float>();
        for (int i = 0; i < 6; i++) { s.Step(); lrs.Add(s.LastLR); }
        Assert.Equal([1f, 0.5f, 0.5f, 0.25f, 0.25f, 0.125f], lrs);
        Assert.Equal(0.125f, opt.LearningRate);
        Assert.Equal(6, s.LastEpoch);
    }

    [Fact]
    public void CosineAnnealingReachesEtaMinAtTMax()
    {
        var opt = Opt(1f);
        var s = new CosineAnnealingLR(opt, tMax: 4, etaMin: 0.1f);
        for (int i = 0; i < 2; i++) s.Step();
        Assert.Equal(0.55f, s.LastLR, 1e-6f);
        for (int i = 0; i < 2; i++) s.Step();
        Assert.Equal(0.1f, s.LastLR, 1e-6f);
    }

    [Fact]
    public void PlateauCutsAfterPatienceRunsOut()
    {
        var opt = Opt(1f);
        var s = new ReduceLROnPlateau(opt, patience: 1, factor: 0.5f);
        foreach (var m in new[] { 1.0, 0.5, 0.6 }) s.Step(m);
        Assert.Equal(1f, opt.LearningRate); // one bad epoch is within patience
        s.Step(0.6);
        Assert.Equal(0.5f, opt.LearningRate);
        Assert.Equal(0.5, s.Best);
        Assert.Throws<ArgumentException>(() => s.Step(double.NaN));
    }

    [Fact]
    public void BadSchedulerArgumentsAreRejected()
    {
        var opt = Opt();
        Assert.Equal("StepLR: step size must be a positive number of epochs, got 0", Assert.Throws<ArgumentException>(() => new StepLR(opt, 0)).Message);
        Assert.Equal("StepLR: gamma must be positive, got -0.5", Assert.Throws<ArgumentException>(() => new StepLR(opt, 1, -0.5f)).Message);
        Assert.Equal("ExponentialLR: gamma must be positive, got 0", Assert.Throws<ArgumentException>(() => new ExponentialLR(opt, 0f)).Message);
        Assert.Equal("CosineAnnealingLR: T_max must be a positive number of epochs, got -3", Assert.Throws<ArgumentException>(() => new CosineAnnealingLR(opt, -3)).Message);
        Assert.Equal("CosineAnnealingLR: eta_min must be non-negative, got -0.1", Assert.Throws<ArgumentException>(() => new CosineAnnealingLR(opt, 3, -0.1f)).Message);
        Assert.Equal("ReduceLROnPlateau: factor must be in (0, 1), got 1", Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(opt, factor: 1f)).Message);
        Assert.Equal("ReduceLROnPlateau: patience must be non-negative, got -1", Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(opt, patience: -1)).Message);
        Assert.Equal("ReduceLROnPlateau: threshold must be non-negative, got -0.1", Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(opt, threshold: -0.1f)).Message);
        Assert.Equal("ReduceLROnPlateau: cooldown must be non-negative, got -2", Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(opt, cooldown: -2)).Message);
        Assert.Equal("ReduceLROnPlateau: minimum learning rate must be non-negative, got -1", Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(opt, minLr: -1f)).Message);
        Assert.Throws<ArgumentNullException>(() => new StepLR(null!, 1));
    }
}
