using System.Reflection;
using Dendrite.Autograd;

namespace Dendrite.Tests.GradCheck;

/// <summary>One row of the GradCheck table: an op applied to sample inputs.</summary>
/// <param name="Name">Unique name, shown in test output.</param>
/// <param name="Function">The computation under test.</param>
/// <param name="Inputs">Makes fresh inputs; those with RequiresGrad are checked.</param>
/// <param name="Atol">Absolute tolerance (float32 finite differences; see GradCheck).</param>
/// <param name="Rtol">Relative tolerance.</param>
public sealed record GradCase(string Name, Func<Tensor[], Tensor> Function, Func<Tensor[]> Inputs,
    double Atol = 1e-3, double Rtol = 1e-2);

/// <summary>
/// The GradCheck table. Rows live in static <c>Rows</c> properties of classes in this namespace, one
/// class per family of ops (TensorRows, and later NN and loss rows); an op joins the check by adding a
/// row there. The theory runs every row.
/// </summary>
public class GradCheckTable
{
    private static readonly Lazy<Dictionary<string, GradCase>> AllCases = new(() =>
    {
        var cases = new Dictionary<string, GradCase>();
        var families = typeof(GradCheckTable).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(GradCheckTable).Namespace)
            .Select(t => t.GetProperty("Rows", BindingFlags.Public | BindingFlags.Static))
            .Where(p => p?.PropertyType == typeof(IEnumerable<GradCase>));
        foreach (var family in families)
            foreach (var row in (IEnumerable<GradCase>)family!.GetValue(null)!)
                cases.Add(row.Name, row); // a duplicate name throws here, on purpose
        return cases;
    });

    public static IEnumerable<object[]> Names => AllCases.Value.Keys.Order(StringComparer.Ordinal).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Names))]
    public void AnalyticGradientMatchesFiniteDifferences(string name)
    {
        var row = AllCases.Value[name];
        var result = Dendrite.Autograd.GradCheck.Check(row.Function, row.Inputs(), atol: row.Atol, rtol: row.Rtol);
        Assert.True(result.Passed, $"{name}: {result.Message}");
    }

    [Fact]
    public void TableIsNotEmptyAndCoversTheTensorOps() => Assert.True(AllCases.Value.Count >= 50, $"{AllCases.Value.Count} rows");

    [Fact]
    public void GradCheckCatchesAWrongGradient()
    {
        // A deliberately wrong backward (d sin = sin instead of cos) must be reported, or the table proves nothing.
        var x = Tensor.FromArray([0.3f, 1.2f, -0.7f]).RequiresGrad_();
        var result = Dendrite.Autograd.GradCheck.Check(t => new WrongSin().Apply(t[0]), [x]);
        Assert.False(result.Passed);
        Assert.Contains("analytic", result.Message);
    }

    // Defined through the public Function API, as a user would define a custom op.
    private sealed class WrongSin : Function
    {
        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
        {
            ctx.SaveForBackward(inputs[0]);
            return inputs[0].Sin();
        }

        public override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [gradOutput * ctx.SavedTensors[0].Sin()];
    }
}
