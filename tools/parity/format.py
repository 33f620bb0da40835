"""Writes format.json: tensors and the text PyTorch prints for them (default print options)."""
import torch

import fixture

cases = {
    "whole numbers": torch.tensor([[1., 2.], [3., 4.]]),
    "decimals": torch.tensor([[0.5, -1.25], [3.125, 100.0]]),
    "scientific small": torch.tensor([1e-5, 1.0, 300.0]),
    "scientific large": torch.tensor([1e9, 2.0]),
    "scalar whole": torch.tensor(3.0),
    "scalar fraction": torch.tensor(0.5),
    "non-finite": torch.tensor([float("nan"), 1.5, float("inf"), -float("inf")]),
    "empty": torch.zeros(0),
    "empty 2-d": torch.zeros(0, 3),
    "rank 3": torch.arange(12.).reshape(2, 2, 3),
    "wrapped row": torch.arange(30.) / 7,
    "summarised matrix": torch.arange(2000.).reshape(40, 50),
    "summarised vector": torch.arange(1500.) / 3,
    "negative zero": torch.tensor([-0.0, 1.0]),
    "zeros": torch.zeros(2, 2),
    "negative decimals": torch.tensor([-0.0001, 0.25, -3.5]),
    "random normal": torch.randn(3, 4, generator=torch.Generator().manual_seed(0)),
}
out = [fixture.case(name, {"x": t}, text=str(t)) for name, t in cases.items()]
t = torch.tensor([1., 2.], requires_grad=True)
out.append(fixture.case("requires grad", {"x": t}, text=str(t), requires_grad=True))
fixture.write("format.json", "tools/parity/format.py", out)
