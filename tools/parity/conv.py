"""Parity fixtures for Conv2d, the pooling layers and batch normalisation.

Writes tests/Dendrite.Tests/Parity/Fixtures/conv.json. Run: /usr/bin/python3 tools/parity/conv.py

Each case holds the input, the parameters, a fixed random upstream gradient and what PyTorch computes:
output, input gradient, parameter gradients and (batch norm) the running statistics afterwards.
"""
import torch

from fixture import case, write

torch.manual_seed(1998)
cases = []


def run(name, module, x, kind, **attrs):
    x = x.clone().requires_grad_(True)
    y = module(x)
    up = torch.randn_like(y)
    y.backward(up)
    t = {"input": x, "output": y, "upstream": up, "input_grad": x.grad}
    for pname, p in module.named_parameters():
        t[pname] = p
        t[pname + "_grad"] = p.grad
    for bname, b in module.named_buffers():
        if bname != "num_batches_tracked":
            t[bname + "_after"] = b
    cases.append(case(name, t, kind=kind, **attrs))


def conv(name, n, cin, cout, hw, k, stride=1, padding=0, dilation=1, groups=1, bias=True):
    m = torch.nn.Conv2d(cin, cout, k, stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias)
    pad = padding if isinstance(padding, str) else list(padding) if isinstance(padding, tuple) else [padding, padding]
    run(name, m, torch.randn(n, cin, *hw), "conv2d", in_channels=cin, out_channels=cout,
        kernel=list(k) if isinstance(k, tuple) else [k, k],
        stride=list(stride) if isinstance(stride, tuple) else [stride, stride],
        padding=pad, dilation=list(dilation) if isinstance(dilation, tuple) else [dilation, dilation],
        groups=groups, bias=bias)


conv("conv basic", 2, 3, 4, (7, 6), 3)
conv("conv lenet first layer", 2, 1, 6, (28, 28), 5, padding=2)
conv("conv stride 2 padding 1", 2, 2, 3, (8, 7), 3, stride=2, padding=1)
conv("conv rectangular kernel stride", 1, 2, 2, (9, 8), (3, 2), stride=(2, 1), padding=(1, 0))
conv("conv dilation 2", 2, 2, 3, (9, 9), 3, dilation=2, padding=2)
conv("conv groups 2", 2, 4, 6, (6, 6), 3, groups=2, padding=1)
conv("conv depthwise", 1, 3, 3, (5, 5), 3, groups=3, bias=False)
conv("conv same odd", 2, 2, 2, (6, 5), 3, padding="same")
conv("conv same even", 1, 2, 3, (6, 6), 4, padding="same")
conv("conv 1x1", 2, 5, 3, (4, 4), 1)


def pool(name, module, x, kind, **attrs):
    run(name, module, x, kind, **attrs)


pool("max pool 2", torch.nn.MaxPool2d(2), torch.randn(2, 3, 8, 8), "maxpool", kernel=2, stride=2, padding=0)
pool("max pool 3 stride 2 pad 1", torch.nn.MaxPool2d(3, 2, 1), torch.randn(1, 2, 7, 6), "maxpool", kernel=3, stride=2, padding=1)
pool("max pool odd size", torch.nn.MaxPool2d(2), torch.randn(1, 1, 5, 7), "maxpool", kernel=2, stride=2, padding=0)
pool("avg pool 2", torch.nn.AvgPool2d(2), torch.randn(2, 2, 6, 6), "avgpool", kernel=2, stride=2, padding=0, count_include_pad=True)
pool("avg pool pad include", torch.nn.AvgPool2d(3, 2, 1), torch.randn(1, 2, 7, 6), "avgpool", kernel=3, stride=2, padding=1,
     count_include_pad=True)
pool("avg pool pad exclude", torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False), torch.randn(1, 2, 7, 6), "avgpool",
     kernel=3, stride=2, padding=1, count_include_pad=False)
pool("adaptive avg pool 3x2", torch.nn.AdaptiveAvgPool2d((3, 2)), torch.randn(2, 2, 7, 5), "adaptive", out_h=3, out_w=2)
pool("adaptive avg pool global", torch.nn.AdaptiveAvgPool2d(1), torch.randn(2, 3, 4, 4), "adaptive", out_h=1, out_w=1)


def batchnorm(name, module, x, train, **attrs):
    module.train(train)
    if not train:
        # Give the running statistics non-trivial values first, as a trained model would have.
        with torch.no_grad():
            module.running_mean.copy_(torch.randn_like(module.running_mean))
            module.running_var.copy_(torch.rand_like(module.running_var) + 0.5)
    with torch.no_grad():
        if module.weight is not None:
            module.weight.copy_(torch.randn_like(module.weight))
            module.bias.copy_(torch.randn_like(module.bias))
    before = {"running_mean_before": module.running_mean.clone(), "running_var_before": module.running_var.clone()}
    x = x.clone().requires_grad_(True)
    y = module(x)
    up = torch.randn_like(y)
    y.backward(up)
    t = {"input": x, "output": y, "upstream": up, "input_grad": x.grad,
         "weight": module.weight, "bias": module.bias, "weight_grad": module.weight.grad, "bias_grad": module.bias.grad,
         "running_mean_after": module.running_mean, "running_var_after": module.running_var, **before}
    cases.append(case(name, t, kind="batchnorm", train=train, features=module.num_features, **attrs))


batchnorm("batchnorm2d train", torch.nn.BatchNorm2d(3), torch.randn(4, 3, 5, 5) * 2 + 1, True, rank=4)
batchnorm("batchnorm2d eval", torch.nn.BatchNorm2d(3), torch.randn(2, 3, 4, 4), False, rank=4)
batchnorm("batchnorm1d train", torch.nn.BatchNorm1d(5, momentum=0.3), torch.randn(8, 5) * 3, True, rank=2, momentum=0.3)
batchnorm("batchnorm1d train 3d", torch.nn.BatchNorm1d(2), torch.randn(3, 2, 6), True, rank=3)
batchnorm("batchnorm1d eval", torch.nn.BatchNorm1d(4, eps=1e-3), torch.randn(6, 4), False, rank=2, eps=1e-3)

write("conv.json", "tools/parity/conv.py", cases)
