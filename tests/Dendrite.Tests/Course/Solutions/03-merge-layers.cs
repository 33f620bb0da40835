// second(first(x)) = W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂).
(Tensor Weight, Tensor Bias) Merge(Linear first, Linear second)
{
    using var noGrad = GradMode.NoGrad();
    var weight = second.Weight.MatMul(first.Weight);
    var bias = second.Weight.MatMul(first.Bias!.Reshape(-1, 1)).Reshape(-1) + second.Bias!;
    return (weight, bias);
}
