// One step w ← w − α·∂L/∂w for every parameter, using the gradient autograd left in p.Grad.
void MyStep(IEnumerable<Parameter> parameters, float lr)
{
    using var noGrad = GradMode.NoGrad();
    foreach (var p in parameters)
        if (p.Grad is { } grad) p.Add_(grad, alpha: -lr);
}
