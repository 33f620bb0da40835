using Dendrite.Training.Metrics;

namespace Dendrite.Tests.Training;

public class MetricTests
{
    // Nine samples of three classes. True: 0 0 0 1 1 2 2 2 2; predicted: 0 1 0 1 2 2 2 0 1.
    // Matrix (rows true, columns predicted): [[2,1,0],[0,1,1],[1,1,2]].
    private static readonly float[] TrueClasses = [0, 0, 0, 1, 1, 2, 2, 2, 2];
    private static readonly float[] PredictedClasses = [0, 1, 0, 1, 2, 2, 2, 0, 1];

    // Logits whose argmax is the prediction, with some noise so the runner-up differs.
    private static Tensor Logits(float[] predicted, int classes) =>
        Tensor.OneHot(Tensor.FromArray(predicted), classes) * 3f + Tensor.Rand(new Generator(1), predicted.Length, classes);

    [Fact]
    public void ConfusionMatrixCountsAndScores()
    {
        var cm = new ConfusionMatrix(3);
        var logits = Logits(PredictedClasses, 3);
        var target = Tensor.FromArray(TrueClasses);
        // Two batches accumulate.
        cm.Update(logits.Narrow(0, 0, 4), target.Narrow(0, 0, 4));
        cm.Update(logits.Narrow(0, 4, 5), target.Narrow(0, 4, 5));

        Assert.Equal([2f, 1f, 0f, 0f, 1f, 1f, 1f, 1f, 2f], cm.ToTensor().ToArray());
        Assert.Equal(9, cm.Total);
        Assert.Equal(1, cm[2, 1]);
        Assert.Equal(5.0 / 9, cm.Accuracy(), 12);
        Assert.Equal([2.0 / 3, 1.0 / 3, 2.0 / 3], [cm.Precision(0), cm.Precision(1), cm.Precision(2)]);
        Assert.Equal([2.0 / 3, 1.0 / 2, 1.0 / 2], [cm.Recall(0), cm.Recall(1), cm.Recall(2)]);
        Assert.Equal(2.0 / 3, cm.F1(0), 12);
        Assert.Equal(2.0 / 5, cm.F1(1), 12);
        Assert.Equal(4.0 / 7, cm.F1(2), 12);
        Assert.Equal(5.0 / 9, cm.MacroPrecision(), 12);
        Assert.Equal(5.0 / 9, cm.MacroRecall(), 12);
        Assert.Equal(172.0 / 315, cm.MacroF1(), 12);
        Assert.Equal(cm.MacroF1(), cm.Compute());
        Assert.Contains("precision", cm.ToString());

        var byLabels = new ConfusionMatrix(3);
        byLabels.UpdateLabels(Tensor.FromArray(PredictedClasses), target);
        Assert.Equal(cm.ToTensor().ToArray(), byLabels.ToTensor().ToArray());

        cm.Reset();
        Assert.Equal(0, cm.Total);
        Assert.True(double.IsNaN(cm.Compute()));
    }

    [Fact]
    public void ConfusionMatrixZeroDivisionGivesZero()
    {
        var cm = new ConfusionMatrix(3);
        cm.UpdateLabels(Tensor.FromArray([0f, 0f, 1f]), Tensor.FromArray([0f, 1f, 1f]));
        Assert.Equal(0, cm.Precision(2)); // never predicted
        Assert.Equal(0, cm.Recall(2));    // never true
        Assert.Equal(0, cm.F1(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => cm.Precision(3));
    }

    [Fact]
    public void ConfusionMatrixBinaryFromOneColumn()
    {
        var cm = new ConfusionMatrix(2);
        cm.Update(Tensor.FromArray([0.9f, 0.2f, 0.6f, 0.4f], 4, 1), Tensor.FromArray([1f, 0f, 0f, 1f], 4, 1));
        Assert.Equal([1f, 1f, 1f, 1f], cm.ToTensor().ToArray());
        var e = Assert.Throws<ArgumentException>(() => new ConfusionMatrix(3).Update(Tensor.Zeros(4, 1), Tensor.Zeros(4)));
        Assert.Contains("[4,1]", e.Message);
    }

    [Fact]
    public void AccuracyFromClassScores()
    {
        var accuracy = new Accuracy();
        accuracy.Update(Logits(PredictedClasses, 3), Tensor.FromArray(TrueClasses));
        Assert.Equal(5.0 / 9, accuracy.Compute(), 12);
        // One-hot targets of the output's shape work too, and batches accumulate.
        accuracy.Update(Logits([1f], 3), Tensor.OneHot(Tensor.FromArray([1f]), 3));
        Assert.Equal(6.0 / 10, accuracy.Compute(), 12);
        accuracy.Reset();
        Assert.True(double.IsNaN(accuracy.Compute()));
    }

    [Fact]
    public void AccuracyOfASingleOutputColumnThresholds()
    {
        var accuracy = new Accuracy();
        // 0.5 is not above the threshold, so it predicts 0.
        accuracy.Update(Tensor.FromArray([0.2f, 0.7f, 0.5f, 0.9f], 4, 1), Tensor.FromArray([0f, 1f, 1f, 0f], 4, 1));
        Assert.Equal(0.5, accuracy.Compute());
        var logits = new Accuracy(threshold: 0);
        logits.Update(Tensor.FromArray([-1f, 2f, 0.1f]), Tensor.FromArray([0f, 1f, 1f]));
        Assert.Equal(1.0, logits.Compute());
    }

    [Fact]
    public void AccuracyRejectsBadShapesAndLabels()
    {
        var accuracy = new Accuracy();
        var e = Assert.Throws<ArgumentException>(() => accuracy.Update(Tensor.Zeros(4, 3), Tensor.Zeros(5)));
        Assert.Contains("accuracy", e.Message);
        Assert.Contains("[4,3]", e.Message);
        Assert.Contains("[5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => accuracy.Update(Tensor.Zeros(2, 3), Tensor.FromArray([0f, 3f])));
        Assert.Contains("label 3", e.Message);
        Assert.Contains("[0, 3)", e.Message);
        Assert.Throws<ArgumentException>(() => accuracy.Update(Tensor.Zeros(2, 3), Tensor.FromArray([0f, 1.5f])));
        Assert.Throws<ArgumentException>(() => accuracy.Update(Tensor.Zeros(2, 1), Tensor.FromArray([0f, 2f])));
        Assert.Throws<ArgumentException>(() => accuracy.Update(Tensor.Zeros(2, 3, 4), Tensor.Zeros(2)));
    }

    [Fact]
    public void TopKAccuracyCountsTheTargetAmongTheBest()
    {
        var scores = Tensor.FromArray(new float[,]
        {
            { 0.1f, 0.5f, 0.4f },   // target 2: one class higher
            { 0.3f, 0.3f, 0.4f },   // target 1: one class higher (the tie at 0.3 does not count)
            { 0.6f, 0.1f, 0.3f },   // target 1: two classes higher
            { 0.2f, 0.2f, 0.6f },   // target 0: one class higher
            { 0.9f, 0.05f, 0.05f }, // target 0: the best
        });
        var target = Tensor.FromArray([2f, 1f, 1f, 0f, 0f]);
        double[] expected = [1.0 / 5, 4.0 / 5, 5.0 / 5];
        for (int k = 1; k <= 3; k++)
        {
            var metric = new TopKAccuracy(k);
            metric.Update(scores, target);
            Assert.Equal(expected[k - 1], metric.Compute(), 12);
            Assert.Equal($"top{k}_accuracy", metric.Name);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopKAccuracy(0));
        var e = Assert.Throws<ArgumentException>(() => new TopKAccuracy(4).Update(scores, target));
        Assert.Contains("[5,3]", e.Message);
        Assert.Throws<ArgumentException>(() => new TopKAccuracy(1).Update(scores, Tensor.Zeros(4)));
    }

    // Output and targets [3,3]; predictions at 0.5: [[1,0,1],[0,1,0],[1,1,0]] against [[1,0,0],[0,1,1],[1,1,0]].
    private static readonly Tensor MultiOutput = Tensor.FromArray(new float[,] { { 0.9f, 0.2f, 0.6f }, { 0.1f, 0.8f, 0.4f }, { 0.7f, 0.7f, 0.2f } });
    private static readonly Tensor MultiTarget = Tensor.FromArray(new float[,] { { 1, 0, 0 }, { 0, 1, 1 }, { 1, 1, 0 } });

    [Fact]
    public void MultiLabelAccuracyPerDecisionAndExactMatch()
    {
        var perLabel = new MultiLabelAccuracy();
        perLabel.Update(MultiOutput, MultiTarget);
        Assert.Equal(7.0 / 9, perLabel.Compute(), 12);
        var exact = new MultiLabelAccuracy(exactMatch: true);
        exact.Update(MultiOutput.Narrow(0, 0, 2), MultiTarget.Narrow(0, 0, 2));
        exact.Update(MultiOutput.Narrow(0, 2, 1), MultiTarget.Narrow(0, 2, 1));
        Assert.Equal(1.0 / 3, exact.Compute(), 12);
        var high = new MultiLabelAccuracy(threshold: 0.65f);
        high.Update(MultiOutput, MultiTarget); // 0.6 now predicts 0: one more right
        Assert.Equal(8.0 / 9, high.Compute(), 12);
    }

    [Fact]
    public void MultiLabelF1MicroAndMacro()
    {
        // Per label (TP, FP, FN): (2,0,0), (2,0,0), (0,1,1). Micro: 2·4/(2·4+1+1) = 0.8; macro: (1+1+0)/3.
        var micro = new MultiLabelF1();
        micro.Update(MultiOutput, MultiTarget);
        Assert.Equal(0.8, micro.Compute(), 12);
        var macro = new MultiLabelF1(average: F1Average.Macro);
        macro.Update(MultiOutput, MultiTarget);
        Assert.Equal(2.0 / 3, macro.Compute(), 12);
        Assert.Throws<ArgumentException>(() => micro.Update(Tensor.Zeros(2, 4), Tensor.Zeros(2, 4)));
    }

    [Fact]
    public void MultiLabelMetricsRejectBadInput()
    {
        var e = Assert.Throws<ArgumentException>(() => new MultiLabelF1().Update(Tensor.Zeros(2, 3), Tensor.Zeros(2, 2)));
        Assert.Contains("f1", e.Message);
        Assert.Contains("[2,3]", e.Message);
        Assert.Contains("[2,2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => new MultiLabelAccuracy().Update(Tensor.Zeros(1, 2), Tensor.FromArray([0f, 2f], 1, 2)));
        Assert.Contains("0 or 1", e.Message);
    }

    public static TheoryData<string> MetricKinds => ["accuracy", "top2", "confusion", "multilabel", "exact", "f1", "macro_f1"];

    private static (Metric Metric, Tensor Output, Tensor Target) MetricWithData(string kind) => kind switch
    {
        "accuracy" => (new Accuracy(), Logits(PredictedClasses, 3), Tensor.FromArray(TrueClasses)),
        "top2" => (new TopKAccuracy(2), Logits(PredictedClasses, 3), Tensor.FromArray(TrueClasses)),
        "confusion" => (new ConfusionMatrix(3), Logits(PredictedClasses, 3), Tensor.FromArray(TrueClasses)),
        "multilabel" => (new MultiLabelAccuracy(), MultiOutput, MultiTarget),
        "exact" => (new MultiLabelAccuracy(exactMatch: true), MultiOutput, MultiTarget),
        "f1" => (new MultiLabelF1(), MultiOutput, MultiTarget),
        _ => (new MultiLabelF1(average: F1Average.Macro), MultiOutput, MultiTarget),
    };

    [Theory]
    [MemberData(nameof(MetricKinds))]
    public void ASavedStateContinuesExactlyWhereItWas(string kind)
    {
        // A pass split in two: the first part's state moved into a fresh metric, which then takes the
        // second part, must end where one metric fed both parts ends.
        var (whole, output, target) = MetricWithData(kind);
        var (resumed, _, _) = MetricWithData(kind);
        int n = output.Shape[0], cut = n / 2;
        whole.Update(output.Narrow(0, 0, cut), target.Narrow(0, 0, cut));
        var state = whole.GetState();
        Assert.NotEmpty(state);
        resumed.Update(output, target); // replaced by the restored state
        resumed.SetState(state);
        Assert.Equal(whole.Compute(), resumed.Compute());
        whole.Update(output.Narrow(0, cut, n - cut), target.Narrow(0, cut, n - cut));
        resumed.Update(output.Narrow(0, cut, n - cut), target.Narrow(0, cut, n - cut));
        Assert.Equal(whole.Compute(), resumed.Compute());
        Assert.Equal(whole.GetState(), resumed.GetState());
        // A state is counts: negative, fractional or misshapen ones are refused, naming the metric.
        var e = Assert.Throws<ArgumentException>(() => resumed.SetState([.. state.Select(_ => -1.0)]));
        Assert.Contains(resumed.Name, e.Message);
        Assert.Throws<ArgumentException>(() => resumed.SetState([.. state.Select(_ => 0.5)]));
        Assert.Throws<ArgumentException>(() => resumed.SetState([.. state, 1]));
    }

    [Fact]
    public void AnEmptyStateIsAFreshMetric()
    {
        var f1 = new MultiLabelF1();
        Assert.Empty(f1.GetState());
        f1.SetState([]);
        Assert.True(double.IsNaN(f1.Compute()));
        var accuracy = new Accuracy();
        accuracy.SetState(accuracy.GetState());
        Assert.True(double.IsNaN(accuracy.Compute()));
        Assert.Throws<ArgumentException>(() => accuracy.SetState([3, 2])); // more correct than counted
    }

    [Fact]
    public void Accuracy_RefusesLogitsAtAProbabilityThreshold_AndTakesThemAtZero()
    {
        var logits = Tensor.FromArray([-2f, 0.3f, 1.5f, -0.1f], 4, 1);
        var target = Tensor.FromArray([0f, 1f, 1f, 0f], 4);
        var e = Assert.Throws<ArgumentException>(() => new Accuracy().Update(logits, target));
        Assert.Contains("outside [0, 1]", e.Message);
        Assert.Throws<ArgumentException>(() => new ConfusionMatrix(2).Update(logits, target));
        var atZero = new Accuracy(threshold: 0);
        atZero.Update(logits, target);
        Assert.Equal(1.0, atZero.Compute());
        var probabilities = new Accuracy();
        probabilities.Update(logits.Sigmoid(), target);
        Assert.Equal(1.0, probabilities.Compute());
    }

    [Fact]
    public void RatioMetrics_ShareTheirCountsState()
    {
        RatioMetric[] metrics = [new Accuracy(), new TopKAccuracy(1), new MultiLabelAccuracy()];
        foreach (var m in metrics)
        {
            m.SetState([2, 4]);
            Assert.Equal(0.5, m.Compute());
            Assert.Equal([2.0, 4.0], m.GetState());
            m.Reset();
            Assert.True(double.IsNaN(m.Compute()));
        }
    }
}
