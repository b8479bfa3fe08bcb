"""Python side of aerobust's interop tests (Debian's python3-torch).

  interop.py script OUT.pt       saves a small TorchScript classifier (1x28x28 -> 10 logits), and OUT.pt.json
                                 with an input and the logits Python computes for it
  interop.py state WEIGHTS.pt    loads an aerobust weights file the documented way and prints
                                 {name: [shape, sum]} as JSON
  interop.py clf OUT.pt C H W K  saves a TorchScript classifier of C x H x W images to K logits
  interop.py ae OUT.pt C H W     saves a TorchScript autoencoder of C x H x W images with an exported encode
  interop.py nanclf OUT.pt C H W K  saves a TorchScript classifier whose logits are NaN (a broken model)
  interop.py acc MODEL.pt IMAGES LABELS   prints how many of the raw IDX images (scaled to [0, 1]) the
                                 TorchScript classifier labels correctly
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


class Clf(nn.Module):
    def __init__(self, c, h, w, k):
        super().__init__()
        self.conv = nn.Conv2d(c, 8, 3, stride=2, padding=1)
        self.fc = nn.Linear(8 * ((h + 1) // 2) * ((w + 1) // 2), k)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


class NanClf(Clf):
    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1)) * float("nan")


class Ae(nn.Module):
    def __init__(self, c, h, w):
        super().__init__()
        self.shape = [c, h, w]
        self.enc = nn.Linear(c * h * w, 16)
        self.dec = nn.Linear(16, c * h * w)

    @torch.jit.export
    def encode(self, x):
        return self.enc(x.flatten(1))

    @torch.jit.export
    def decode(self, z):
        return torch.sigmoid(self.dec(z)).view(-1, self.shape[0], self.shape[1], self.shape[2])

    def forward(self, x):
        return self.decode(self.encode(x))


if sys.argv[1] == "acc":
    m = torch.jit.load(sys.argv[2]).eval()
    raw = open(sys.argv[3], "rb").read()
    n, h, w = (int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    x = torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8).float().div(255).view(n, 1, h, w)
    y = torch.frombuffer(bytearray(open(sys.argv[4], "rb").read()[8:]), dtype=torch.uint8).long()
    with torch.no_grad():
        pred = torch.cat([m(x[i:i + 500]).argmax(1) for i in range(0, n, 500)])
    print(int((pred == y).sum()))
elif sys.argv[1] == "clf":
    torch.manual_seed(0)
    c, h, w, k = (int(v) for v in sys.argv[3:7])
    torch.jit.script(Clf(c, h, w, k).eval()).save(sys.argv[2])
elif sys.argv[1] == "nanclf":
    torch.manual_seed(0)
    c, h, w, k = (int(v) for v in sys.argv[3:7])
    torch.jit.script(NanClf(c, h, w, k).eval()).save(sys.argv[2])
elif sys.argv[1] == "ae":
    torch.manual_seed(0)
    c, h, w = (int(v) for v in sys.argv[3:6])
    torch.jit.script(Ae(c, h, w).eval()).save(sys.argv[2])
elif sys.argv[1] == "script":
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
