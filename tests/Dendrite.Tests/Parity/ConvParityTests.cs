using System.Text.Json;
using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.Parity;

/// <summary>
/// Conv2d, pooling and batch norm against PyTorch (fixture written by tools/parity/conv.py): outputs,
/// input and parameter gradients, and running statistics.
/// </summary>
public class ConvParityTests
{
    private const string File = "conv.json";

    public static IEnumerable<object[]> Cases => ParityFixture.Names(File);

    private static Size2d Pair(JsonElement e) => (e[0].GetInt32(), e[1].GetInt32());

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        var c = ParityFixture.Load(File)[name];
        Module module = c.Text("kind") switch
        {
            "conv2d" => Conv(c),
            "maxpool" => new MaxPool2d((int)c.Number("kernel"), (int)c.Number("stride"), (int)c.Number("padding")),
            "avgpool" => new AvgPool2d((int)c.Number("kernel"), (int)c.Number("stride"), (int)c.Number("padding"),
                c.Attr("count_include_pad").GetBoolean()),
            "adaptive" => new AdaptiveAvgPool2d(((int)c.Number("out_h"), (int)c.Number("out_w"))),
            "batchnorm" => BatchNorm(c),
            var kind => throw new InvalidOperationException($"unknown kind {kind}"),
        };
        using (GradMode.NoGrad())
        {
            foreach (var (pname, p) in module.NamedParameters()) p.CopyFrom_(c.Tensor(pname));
            if (module is BatchNormBase bn && c.Has("running_mean_before"))
            {
                bn.RunningMean!.CopyFrom_(c.Tensor("running_mean_before"));
                bn.RunningVar!.CopyFrom_(c.Tensor("running_var_before"));
            }
        }
        var x = c.Tensor("input").Detach().RequiresGrad_();
        var y = module.Forward(x);
        // Convolutions sum up to 150 products in float32 in a different order than oneDNN: allow 1e-5 relative plus 1e-5 absolute.
        ParityAssert.Close(c.Tensor("output"), y, $"{name} output", atol: 1e-5);
        y.Backward(c.Tensor("upstream"));
        ParityAssert.Close(c.Tensor("input_grad"), x.Grad!, $"{name} input grad", atol: 1e-5);
        // Weight and bias gradients sum over batch × output pixels (up to 1,568 float32 terms here), so
        // summation order alone moves them by ~1e-5 relative; 1e-4 keeps a real error (≥ 1e-2) visible.
        foreach (var (pname, p) in module.NamedParameters())
            ParityAssert.Close(c.Tensor(pname + "_grad"), p.Grad!, $"{name} {pname} grad", rtol: 1e-4, atol: 1e-4);
        foreach (var (bname, b) in module.NamedBuffers())
            if (c.Has(bname + "_after")) ParityAssert.Close(c.Tensor(bname + "_after"), b, $"{name} {bname}");
    }

    private static Conv2d Conv(ParityCase c)
    {
        var padding = c.Attr("padding");
        Padding2d pad = padding.ValueKind == JsonValueKind.String ? Padding2d.Same : (padding[0].GetInt32(), padding[1].GetInt32());
        return new Conv2d((int)c.Number("in_channels"), (int)c.Number("out_channels"), Pair(c.Attr("kernel")), Pair(c.Attr("stride")),
            pad, Pair(c.Attr("dilation")), (int)c.Number("groups"), c.Attr("bias").GetBoolean());
    }

    private static BatchNormBase BatchNorm(ParityCase c)
    {
        int features = (int)c.Number("features");
        float eps = c.HasAttr("eps") ? (float)c.Number("eps") : 1e-5f;
        float momentum = c.HasAttr("momentum") ? (float)c.Number("momentum") : 0.1f;
        BatchNormBase bn = (int)c.Number("rank") == 4 ? new BatchNorm2d(features, eps, momentum) : new BatchNorm1d(features, eps, momentum);
        bn.Train(c.Attr("train").GetBoolean());
        return bn;
    }
}
