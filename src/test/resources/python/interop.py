"""Python side of aerobust's interop tests (Debian's python3-torch).

  interop.py script OUT.pt       saves a small TorchScript classifier (1x28x28 -> 10 logits), and OUT.pt.json
                                 with an input and the logits Python computes for it
  interop.py state WEIGHTS.pt    loads an aerobust weights file the documented way and prints
                                 {name: [shape, sum]} as JSON
"""
import json
import sys

import torch
import torch.nn as nn


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, stride=2, padding=1)
        self.fc = nn.Linear(4 * 14 * 14, 10)

    def forward(self, x):
        return self.fc(torch.tanh(self.conv(x)).flatten(1))


if sys.argv[1] == "script":
    torch.manual_seed(0)
    m = Small().eval()
    torch.jit.script(m).save(sys.argv[2])
    x = torch.rand(2, 1, 28, 28)
    with torch.no_grad():
        y = m(x)
    json.dump({"input": x.flatten().tolist(), "logits": y.flatten().tolist()}, open(sys.argv[2] + ".json", "w"))
elif sys.argv[1] == "state":
    sd = torch.jit.load(sys.argv[2]).state_dict()
    print(json.dumps({k: [list(v.shape), float(v.double().sum())] for k, v in sd.items()}))
