package dev.aerobust.nn;

import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * A TorchScript module saved from Python ({@code torch.jit.script(m).save(p)} or {@code torch.jit.trace}), used
 * as a differentiable function: gradients flow through it to its input.
 */
public final class ScriptModule {

    private final JitModule module;
    private final Path path;

    private ScriptModule(JitModule module, Path path) {
        this.module = module;
        this.path = path;
    }

    /** Loads a TorchScript file; a missing or non-TorchScript file is a clear data error. */
    public static ScriptModule load(Path path) {
        Engine.init();
        if (!Files.isRegularFile(path)) {
            throw new AerobustException(ExitCode.DATA, path + ": file not found");
        }
        try {
            JitModule m = torch.load(new org.bytedeco.javacpp.BytePointer(path.toString()));
            m.eval();
            return new ScriptModule(m, path);
        } catch (RuntimeException e) {
            throw new AerobustException(ExitCode.DATA,
                    path + ": not a TorchScript module: " + Net.firstLine(e.getMessage()));
        }
    }

    /** Calls the module's {@code forward} on one tensor; it must return one tensor. */
    public Tensor forward(Tensor x) {
        IValue out;
        try {
            out = module.forward(new IValueVector(new IValue(x)));
        } catch (RuntimeException e) {
            throw new AerobustException(ExitCode.DATA, path + ": forward failed on input "
                    + java.util.Arrays.toString(Tensors.shape(x)) + ": " + Net.firstLine(e.getMessage()));
        }
        if (!out.isTensor()) {
            throw new AerobustException(ExitCode.DATA, path + ": forward must return a tensor of logits");
        }
        return out.toTensor();
    }

    /** Whether the module has a method {@code name} (TorchScript keeps {@code @torch.jit.export}ed ones). */
    public boolean has(String name) {
        return module.find_method(name).has_value();
    }

    /**
     * Calls the method {@code name} on one tensor; a tuple result gives its first element (an encoder that
     * returns {@code (mu, logvar)} gives mu).
     */
    public Tensor call(String name, Tensor x) {
        IValue out;
        try {
            out = module.get_method(name).apply(new IValueVector(new IValue(x)));
        } catch (RuntimeException e) {
            throw new AerobustException(ExitCode.DATA, path + ": " + name + " failed on input "
                    + java.util.Arrays.toString(Tensors.shape(x)) + ": " + Net.firstLine(e.getMessage()));
        }
        if (out.isTuple()) {
            out = out.toTuple().elements().get(0);
        }
        if (!out.isTensor()) {
            throw new AerobustException(ExitCode.DATA, path + ": " + name + " must return a tensor");
        }
        return out.toTensor();
    }

    /** Freezes or unfreezes every parameter (an attack needs only input gradients). */
    public void requiresGrad(boolean on) {
        var params = module.parameters(true);
        for (var it = params.begin(); it.notEquals(params.end()); it = it.increment()) {
            it.access().set_requires_grad(on);
        }
    }

    public void eval() {
        module.eval();
    }
}
