package dev.aerobust.model;

import java.nio.file.Path;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.nn.ScriptModule;

/**
 * A classifier exported by a user as TorchScript ({@code torch.jit.script(model).save("clf.pt")}), taking
 * images in [0, 1] NCHW and returning logits (not probabilities). Gradients flow through it to the input.
 */
public final class ScriptedClassifier implements LogitsModel {

    private final ScriptModule module;

    public ScriptedClassifier(Path script) {
        this.module = ScriptModule.load(script);
    }

    @Override
    public Tensor logits(Tensor x) {
        return module.forward(x);
    }

    @Override
    public void freeze() {
        module.eval();
        module.requiresGrad(false);
    }
}
