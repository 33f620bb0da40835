using Dendrite.NN.Layers;
using Dendrite.Tensors;

namespace Dendrite.NN;

/// <summary>
/// The fusion pass <see cref="Sequential"/> runs over its children: a few neighbouring layers whose ops have
/// a fused kernel become one step, so that without a recorded graph (inference, evaluation) the output is
/// computed in fewer passes over memory. Each fused step gives the same bits as its layers run one by one,
/// and with a graph recorded it runs exactly those layers' ops (BatchNorm → ReLU and ReLU → MaxPool2d
/// excepted: one fused op each, whose gradients are the same bits as the two ops'), so backward is unchanged.
/// </summary>
/// <remarks>
/// The patterns, tried in this order at each position:
/// <list type="bullet">
/// <item>Conv2d → ReLU → MaxPool2d: ReLU in the convolution's last pass, and each image's map pooled while it
/// is in cache instead of being written out and read back. With a graph recorded (training), the convolution
/// and then one max pool that applies the ReLU to its output (relu∘maxpool = maxpool∘relu) and routes no
/// gradient where that output is not positive: ReLU's forward and backward passes over the unpooled map and
/// its tensor disappear, and the gradients are the same bits (for a pooling window without padding).</item>
/// <item>Conv2d → ReLU and Linear → ReLU: the ReLU in the last pass (the GEMM's epilogue); batch-1 inference
/// pays per op, and a separate ReLU would add a tensor and a pass over it.</item>
/// <item>Conv2d → BatchNorm2d → ReLU (→ MaxPool2d): in evaluation without a graph the batch norm is folded
/// into the convolution (W·a and bias·a + b, with a = γ/√(var + ε) and b = β − mean·a from the running
/// statistics, recomputed only when one of them changes), which then runs with its fused ReLU and pooling,
/// as ONNX exporters fold it; the one fused step whose bits differ from the layers' (by rounding: the scale is
/// applied to the weights rather than to the sums). In training it runs the convolution, then BatchNorm → ReLU.</item>
/// <item>BatchNorm → ReLU, in training too: one op whose forward pass normalises and clamps in one pass over
/// memory and whose backward pass applies the ReLU's mask while it computes the normalisation's gradient
/// (recorded as one node, so the graph has one node fewer; the same bits as the two layers).</item>
/// </list>
/// The layer types are sealed, so matching by type cannot skip an override.
/// </remarks>
internal static class Fusion
{
    /// <summary>The steps that run <paramref name="layers"/> in order: the layers themselves, with fusable runs replaced.</summary>
    public static Module[] Plan(IReadOnlyList<Module> layers)
    {
        var steps = new List<Module>(layers.Count);
        for (int i = 0; i < layers.Count; i++)
        {
            var next = i + 1 < layers.Count ? layers[i + 1] : null;
            var afterNext = i + 2 < layers.Count ? layers[i + 2] : null;
            switch (layers[i])
            {
                case Conv2d conv when next is BatchNorm2d norm && afterNext is ReLU:
                    var pooling = i + 3 < layers.Count ? layers[i + 3] as MaxPool2d : null;
                    steps.Add(new Conv2dBatchNormReLU(conv, norm, pooling));
                    i += pooling is null ? 2 : 3;
                    break;
                case Conv2d conv when next is ReLU && afterNext is MaxPool2d pool:
                    steps.Add(new Conv2dReLUMaxPool2d(conv, pool));
                    i += 2;
                    break;
                case Conv2d conv when next is ReLU:
                    steps.Add(new Conv2dReLU(conv));
                    i++;
                    break;
                case BatchNormBase norm when norm is BatchNorm1d or BatchNorm2d && next is ReLU:
                    steps.Add(new BatchNormReLU(norm));
                    i++;
                    break;
                case Linear linear when next is ReLU:
                    steps.Add(new LinearReLU(linear));
                    i++;
                    break;
                default:
                    steps.Add(layers[i]);
                    break;
            }
        }
        return [.. steps];
    }

    // The fused steps are modules only to share Forward; they register nothing (the layers they read stay
    // the Sequential's children, so parameters, state dicts and printing are unchanged).

    private sealed class LinearReLU(Linear linear) : Module
    {
        public override Tensor Forward(Tensor input) => Functional.LinearRelu(input, linear.Weight, linear.Bias);
    }

    private sealed class BatchNormReLU(BatchNormBase norm) : Module
    {
        public override Tensor Forward(Tensor input) => norm.Forward(input, relu: true);
    }

    private sealed class Conv2dBatchNormReLU(Conv2d conv, BatchNorm2d norm, MaxPool2d? pool) : Module
    {
        private readonly FoldedBatchNorm folded = new();

        public override Tensor Forward(Tensor input)
        {
            bool foldable = !norm.Training && norm.RunningMean is not null && !Tensor.ShouldRecord(input) &&
                !Recorded(conv.Weight) && !Recorded(conv.Bias) && !Recorded(norm.Weight) && !Recorded(norm.Bias);
            if (foldable)
            {
                var (weight, bias) = folded.Get(conv, norm);
                return pool is null
                    ? Functional.Conv2dRelu(input, weight, bias, conv.Window, conv.Groups)
                    : Functional.Conv2dReluMaxPool(input, weight, bias, conv.Window, conv.Groups, pool.Window)!;
            }
            var y = norm.Forward(conv.Forward(input), relu: true);
            return pool is null ? y : pool.Forward(y);
        }

        private static bool Recorded(Tensor? t) => t is not null && Tensor.ShouldRecord(t);
    }

    /// <summary>
    /// A convolution's weight and bias with the batch norm after it folded in, kept until one of the six tensors it
    /// was computed from is replaced or changed in place (their storages' versions).
    /// </summary>
    private sealed class FoldedBatchNorm
    {
        private readonly (object? Storage, int Version)[] key = new (object?, int)[6];
        private Tensor? weight, bias;

        public (Tensor Weight, Tensor Bias) Get(Conv2d conv, BatchNorm2d norm)
        {
            Tensor?[] sources = [conv.Weight, conv.Bias, norm.Weight, norm.Bias, norm.RunningMean, norm.RunningVar];
            bool fresh = weight is not null;
            for (int i = 0; i < sources.Length; i++)
            {
                var k = (sources[i]?.Storage, sources[i]?.Storage.Version ?? 0);
                if (!ReferenceEquals(key[i].Storage, k.Item1) || key[i].Version != k.Item2) fresh = false;
                key[i] = k;
            }
            if (fresh) return (weight!, bias!);
            using var noGrad = Autograd.GradMode.NoGrad();
            int o = conv.OutChannels;
            float[] w = conv.Weight.Contiguous().ToArray(), mean = norm.RunningMean!.ToArray(), variance = norm.RunningVar!.ToArray();
            float[]? convBias = conv.Bias?.ToArray(), gamma = norm.Weight?.ToArray(), beta = norm.Bias?.ToArray();
            var b = new float[o];
            int per = w.Length / o;
            for (int c = 0; c < o; c++)
            {
                // As Tensor.BatchNorm computes them: y = x·a + (β − mean·a).
                float a = (gamma?[c] ?? 1f) * (1f / MathF.Sqrt(variance[c] + norm.Eps));
                float shift = (beta?[c] ?? 0f) - mean[c] * a;
                b[c] = MathF.FusedMultiplyAdd(convBias?[c] ?? 0f, a, shift);
                for (int j = c * per; j < (c + 1) * per; j++) w[j] *= a;
            }
            weight = Tensor.FromArray(w).Reshape(conv.Weight.Shape.ToArray());
            bias = Tensor.FromArray(b);
            // Kept past the scope of the call that made them, like a module's buffers.
            TensorScope.Disown(weight);
            TensorScope.Disown(bias);
            return (weight, bias);
        }
    }

    private sealed class Conv2dReLU(Conv2d conv) : Module
    {
        public override Tensor Forward(Tensor input) =>
            Functional.Conv2dRelu(input, conv.Weight, conv.Bias, conv.Window, conv.Groups);
    }

    private sealed class Conv2dReLUMaxPool2d(Conv2d conv, MaxPool2d pool) : Module
    {
        public override Tensor Forward(Tensor input) =>
            Functional.Conv2dReluMaxPool(input, conv.Weight, conv.Bias, conv.Window, conv.Groups, pool.Window)
            ?? (pool.Window.HasPadding
                ? pool.Forward(Functional.Conv2dRelu(input, conv.Weight, conv.Bias, conv.Window, conv.Groups))
                : Functional.MaxPool2d(conv.Forward(input), pool.Window, relu: true));
    }
}
