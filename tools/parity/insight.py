"""Parity fixtures for Dendrite.Insight: saliency, integrated gradients and FGSM.

Writes tests/Dendrite.Tests/Parity/Fixtures/insight.json. Run: /usr/bin/python3 tools/parity/insight.py

One small CNN (conv, ReLU, max pool, conv, tanh, flatten, linear, ReLU, linear) with PyTorch's default
initialisation and a batch of three 8×8 inputs in [0, 1]. Each method is written here from its definition
with torch ops (no Captum), as Dendrite defines it: the gradient of each sample's target logit (saliency is
its absolute value), integrated gradients by the midpoint rule over `steps` points, and FGSM on the summed
cross-entropy, clamped to [0, 1]. The state dict is stored under the names both Sequentials give it.
"""
import torch
import torch.nn.functional as F

from fixture import case, write

torch.manual_seed(2013)


def model():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 6, 3), torch.nn.Tanh(), torch.nn.Flatten(),
        torch.nn.Linear(24, 10), torch.nn.ReLU(), torch.nn.Linear(10, 5))


net = model().eval()
for p in net.parameters():
    p.requires_grad_(False)
x = torch.rand(3, 1, 8, 8)
targets = torch.tensor([1, 4, 0])
labels = torch.tensor([2, 0, 3])


def gradient(inputs, classes):
    inputs = inputs.clone().requires_grad_(True)
    net(inputs).gather(1, classes[:, None]).sum().backward()
    return inputs.grad


def integrated_gradients(baseline, steps):
    result = []
    for i in range(x.shape[0]):
        alphas = (torch.arange(steps, dtype=torch.float32) + 0.5) / steps
        points = baseline[i] + alphas[:, None, None, None] * (x[i] - baseline[i])
        grads = gradient(points, targets[i].repeat(steps))
        result.append((x[i] - baseline[i]) * grads.mean(0))
    return torch.stack(result)


def fgsm(epsilon):
    inputs = x.clone().requires_grad_(True)
    F.cross_entropy(net(inputs), labels, reduction="sum").backward()
    grad = inputs.grad
    # A gradient element too close to zero could change sign with the summation order: keep the fixture clear of it.
    assert ((grad == 0) | (grad.abs() > 1e-5)).all(), "a gradient element is near zero; change the seed"
    return (x + epsilon * grad.sign()).clamp(0, 1)


params = {name: p for name, p in net.state_dict().items()}
common = dict(params, input=x, targets=targets.float(), labels=labels.float())
g = gradient(x, targets)
random_baseline = torch.rand(3, 1, 8, 8) * 0.3
cases = [
    case("gradient", dict(common, expected=g)),
    case("saliency", dict(common, expected=g.abs())),
    case("integrated gradients zero baseline 16 steps", dict(common, expected=integrated_gradients(torch.zeros_like(x), 16)), steps=16),
    case("integrated gradients random baseline 64 steps",
         dict(common, baseline=random_baseline, expected=integrated_gradients(random_baseline, 64)), steps=64),
    case("fgsm 0.05", dict(common, expected=fgsm(0.05)), epsilon=0.05),
    case("fgsm 0.2", dict(common, expected=fgsm(0.2)), epsilon=0.2),
]
write("insight.json", "tools/parity/insight.py", cases)
