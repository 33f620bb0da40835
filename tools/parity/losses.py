"""PyTorch reference values for Dendrite's losses: every loss x options x reduction.

Each case holds the input, target, optional weights, an upstream gradient `grad_output` (shaped like the
loss), the loss value and the input gradient d(sum(loss * grad_output))/d(input).
Run: /usr/bin/python3 tools/parity/losses.py
"""
import torch
import torch.nn.functional as F

from fixture import case, write

torch.manual_seed(1234)
REDUCTIONS = ["mean", "sum", "none"]


def run(name, fn, inp, target, tensors=None, **attrs):
    """One case per reduction: fn(input, target, reduction) -> loss."""
    cases = []
    for reduction in REDUCTIONS:
        x = inp.clone().requires_grad_(True)
        loss = fn(x, target, reduction)
        grad_output = torch.randn(loss.shape)
        loss.backward(grad_output)
        t = {"input": inp, "target": target, "grad_output": grad_output, "loss": loss, "input_grad": x.grad}
        t.update(tensors or {})
        cases.append(case(f"{name} {reduction}", t, reduction=reduction, **attrs))
    return cases


def labels(n, c, *extra):
    return torch.randint(0, c, (n, *extra)).float()


cases = []

# Element-wise regression losses.
x, y = torch.randn(4, 3), torch.randn(4, 3)
cases += run("mse", lambda a, t, r: F.mse_loss(a, t, reduction=r), x, y, kind="mse")
cases += run("l1", lambda a, t, r: F.l1_loss(a, t, reduction=r), x, y, kind="l1")
big = torch.randn(5, 4) * 2
ybig = torch.randn(5, 4)
for delta in [1.0, 0.5]:
    cases += run(f"huber delta={delta}", lambda a, t, r, d=delta: F.huber_loss(a, t, reduction=r, delta=d), big, ybig,
                 kind="huber", delta=delta)
for beta in [1.0, 0.3, 0.0]:
    cases += run(f"smooth_l1 beta={beta}", lambda a, t, r, b=beta: F.smooth_l1_loss(a, t, reduction=r, beta=b), big, ybig,
                 kind="smooth_l1", beta=beta)

# Binary cross-entropy on probabilities, soft and hard targets, with and without a weight.
p = torch.rand(4, 3) * 0.9 + 0.05
hard = torch.randint(0, 2, (4, 3)).float()
soft = torch.rand(4, 3)
w_elem = torch.rand(4, 3) + 0.5
w_row = torch.rand(3) + 0.5
cases += run("bce hard", lambda a, t, r: F.binary_cross_entropy(a, t, reduction=r), p, hard, kind="bce")
cases += run("bce soft", lambda a, t, r: F.binary_cross_entropy(a, t, reduction=r), p, soft, kind="bce")
cases += run("bce weight", lambda a, t, r: F.binary_cross_entropy(a, t, weight=w_elem, reduction=r), p, hard,
             {"weight": w_elem}, kind="bce")
cases += run("bce weight broadcast", lambda a, t, r: F.binary_cross_entropy(a, t, weight=w_row, reduction=r), p, soft,
             {"weight": w_row}, kind="bce")

# BCE with logits, including large logits (the stable form) and pos_weight.
z = torch.randn(4, 5) * 3
z[0, 0], z[1, 1], z[2, 2] = 30.0, -30.0, 0.0
t5 = torch.randint(0, 2, (4, 5)).float()
pw = torch.rand(5) * 3 + 0.2
w5 = torch.rand(5) + 0.5
cases += run("bce_logits", lambda a, t, r: F.binary_cross_entropy_with_logits(a, t, reduction=r), z, t5, kind="bce_logits")
cases += run("bce_logits soft", lambda a, t, r: F.binary_cross_entropy_with_logits(a, t, reduction=r), z, torch.rand(4, 5),
             kind="bce_logits")
cases += run("bce_logits pos_weight", lambda a, t, r: F.binary_cross_entropy_with_logits(a, t, pos_weight=pw, reduction=r),
             z, t5, {"pos_weight": pw}, kind="bce_logits")
cases += run("bce_logits weight pos_weight",
             lambda a, t, r: F.binary_cross_entropy_with_logits(a, t, weight=w5, pos_weight=pw, reduction=r),
             z, t5, {"weight": w5, "pos_weight": pw}, kind="bce_logits")

# Cross-entropy: class indices [N], [N,d1,d2], weights, ignore_index, label smoothing; probability targets.
N, C = 5, 4
logits = torch.randn(N, C) * 2
y = labels(N, C)
y_ign = y.clone(); y_ign[1] = -100; y_ign[3] = -100
y_ign2 = y.clone(); y_ign2[0] = 2
wc = torch.rand(C) + 0.3
logits_nd = torch.randn(2, C, 3, 2)
y_nd = labels(2, C, 3, 2)
probs = torch.softmax(torch.randn(N, C), 1)
probs_nd = torch.softmax(torch.randn(2, C, 3, 2), 1)


def ce(**kw):
    def f(a, t, r):
        return F.cross_entropy(a, t.long() if t.shape != a.shape else t, reduction=r, **kw)
    return f


for ls in [0.0, 0.2]:
    cases += run(f"ce ls={ls}", ce(label_smoothing=ls), logits, y, kind="ce", label_smoothing=ls)
    cases += run(f"ce weight ls={ls}", ce(weight=wc, label_smoothing=ls), logits, y, {"weight": wc}, kind="ce", label_smoothing=ls)
    cases += run(f"ce ignore ls={ls}", ce(label_smoothing=ls), logits, y_ign, kind="ce", label_smoothing=ls)
    cases += run(f"ce weight ignore=2 ls={ls}", ce(weight=wc, ignore_index=2, label_smoothing=ls), logits, y_ign2,
                 {"weight": wc}, kind="ce", ignore_index=2, label_smoothing=ls)
    cases += run(f"ce nd ls={ls}", ce(label_smoothing=ls), logits_nd, y_nd, kind="ce", label_smoothing=ls)
    cases += run(f"ce nd weight ls={ls}", ce(weight=wc, label_smoothing=ls), logits_nd, y_nd, {"weight": wc}, kind="ce",
                 label_smoothing=ls)
    cases += run(f"ce probs ls={ls}", ce(label_smoothing=ls), logits, probs, kind="ce", label_smoothing=ls)
    cases += run(f"ce probs weight ls={ls}", ce(weight=wc, label_smoothing=ls), logits, probs, {"weight": wc}, kind="ce",
                 label_smoothing=ls)
    cases += run(f"ce probs nd ls={ls}", ce(label_smoothing=ls), logits_nd, probs_nd, kind="ce", label_smoothing=ls)
cases += run("ce unbatched", ce(), torch.randn(C), torch.tensor(2.0), kind="ce", label_smoothing=0.0)

# NLL on log-probabilities.
logp = torch.log_softmax(torch.randn(N, C), 1)


def nll(**kw):
    return lambda a, t, r: F.nll_loss(a, t.long(), reduction=r, **kw)


cases += run("nll", nll(), logp, y, kind="nll")
cases += run("nll weight", nll(weight=wc), logp, y, {"weight": wc}, kind="nll")
cases += run("nll weight ignore", nll(weight=wc), logp, y_ign, {"weight": wc}, kind="nll")
cases += run("nll ignore=2", nll(ignore_index=2), logp, y_ign2, kind="nll", ignore_index=2)
cases += run("nll nd", nll(), torch.log_softmax(logits_nd, 1), y_nd, kind="nll")

# Multi-class hinge (MultiMarginLoss), p = 1 and 2, margins, weight.
scores = torch.randn(6, 4)
ym = labels(6, 4)
for pp in [1, 2]:
    for margin in [1.0, 0.5]:
        cases += run(f"multi_margin p={pp} margin={margin}",
                     lambda a, t, r, pp=pp, m=margin: F.multi_margin_loss(a, t.long(), p=pp, margin=m, reduction=r),
                     scores, ym, kind="multi_margin", p=pp, margin=margin)
    cases += run(f"multi_margin p={pp} weight",
                 lambda a, t, r, pp=pp: F.multi_margin_loss(a, t.long(), p=pp, weight=wc, reduction=r),
                 scores, ym, {"weight": wc}, kind="multi_margin", p=pp, margin=1.0)

# Binary hinge max(0, 1 - y x) on labels +-1 (no PyTorch module of this form; computed from its definition).
hx = torch.randn(4, 3)
hy = torch.randint(0, 2, (4, 3)).float() * 2 - 1
cases += run("hinge", lambda a, t, r: {"mean": torch.mean, "sum": torch.sum, "none": lambda v: v}[r](torch.clamp(1 - t * a, min=0)),
             hx, hy, kind="hinge")

write("losses.json", "tools/parity/losses.py", cases)
