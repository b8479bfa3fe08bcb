package dev.aerobust.nn;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/** Where tensors live. CPU always works; CUDA only with a CUDA build of the engine and a GPU. */
public enum ComputeDevice {
    CPU("cpu"),
    CUDA("cuda");

    private final String torchName;

    ComputeDevice(String torchName) {
        this.torchName = torchName;
    }

    Device toTorch() {
        Engine.init();
        return new Device(torchName);
    }

    public boolean isAvailable() {
        Engine.init();
        return this == CPU || torch.cuda_is_available();
    }

    /** Parses {@code cpu} or {@code cuda}, case-insensitively. */
    public static ComputeDevice parse(String s) {
        for (ComputeDevice d : values()) {
            if (d.torchName.equalsIgnoreCase(s.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown device '" + s + "' (expected cpu or cuda)");
    }
}
