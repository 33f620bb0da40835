using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>
/// An attack with its settings fixed except the perturbation size, as <see cref="Adversarial.RobustnessCurve"/>
/// runs it once per ε: <see cref="Fgsm"/>, <see cref="Pgd"/>, or any function of (model, inputs, labels, ε).
/// </summary>
public sealed class AdversarialAttack
{
    private readonly Func<Module, Tensor, Tensor, float, Tensor> run;

    /// <summary>An attack defined by a function returning the adversarial inputs for (model, inputs, labels, ε).</summary>
    public AdversarialAttack(string name, Func<Module, Tensor, Tensor, float, Tensor> attack)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        run = attack ?? throw new ArgumentNullException(nameof(attack));
    }

    /// <summary>A short name for reports, e.g. <c>FGSM</c> or <c>PGD-10 L∞</c>.</summary>
    public string Name { get; }

    /// <summary>The adversarial version of <paramref name="inputs"/> at perturbation size <paramref name="epsilon"/>.</summary>
    public Tensor Apply(Module model, Tensor inputs, Tensor labels, float epsilon) => run(model, inputs, labels, epsilon);

    /// <summary><see cref="Adversarial.Fgsm"/> with inputs kept in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static AdversarialAttack Fgsm(float min = 0, float max = 1) =>
        new("FGSM", (model, x, y, e) => Adversarial.Fgsm(model, x, y, e, min, max));

    /// <summary>
    /// <see cref="Adversarial.Pgd"/> with <paramref name="steps"/> steps of size <paramref name="relativeStepSize"/> · ε
    /// (2.5/steps by default, Madry et al.'s choice, so the steps together can cross the ball 2.5 times).
    /// </summary>
    public static AdversarialAttack Pgd(int steps = 10, float? relativeStepSize = null, PgdNorm norm = PgdNorm.LInf,
        bool randomStart = true, int seed = 0, float min = 0, float max = 1)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"AdversarialAttack.Pgd: steps must be at least 1, got {steps}");
        float relative = relativeStepSize ?? 2.5f / steps;
        return new($"PGD-{steps} {(norm == PgdNorm.LInf ? "L∞" : "L2")}",
            (model, x, y, e) => Adversarial.Pgd(model, x, y, e, steps, relative * e, norm, randomStart, seed, min: min, max: max));
    }

    public override string ToString() => Name;
}
