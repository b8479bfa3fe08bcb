package dev.aerobust.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A composable function with parameters: the base of every network in aerobust.
 *
 * <p>A {@code Net} owns an engine module that holds its parameters, buffers and children, so that saving,
 * loading, dtype changes and optimizers see the whole tree. Build nets outside any {@link Scope}: their
 * parameters must outlive the steps that use them.
 *
 * <p>The saved file is a TorchScript archive. In Python: {@code torch.jit.load(path).state_dict()}.
 */
public abstract class Net {

    static {
        Engine.init();
    }

    protected final Module module = new Module();
    private final Map<String, Net> children = new LinkedHashMap<>();
    private final java.util.Set<String> undecayed = new java.util.LinkedHashSet<>();

    /** Registers a trainable parameter; {@code init} becomes the parameter itself. */
    protected final Tensor parameter(String name, Tensor init) {
        module.register_parameter(name, init, true);
        return init;
    }

    /**
     * Registers a trainable parameter that L2 weight decay leaves alone by default (batch-norm scale and shift:
     * the L2 regularisers of the authors' Keras layers sat on conv and dense weights and biases only).
     */
    protected final Tensor undecayedParameter(String name, Tensor init) {
        undecayed.add(name);
        return parameter(name, init);
    }

    /** Dotted names of the parameters registered with {@link #undecayedParameter}, children included. */
    public java.util.Set<String> undecayedNames() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>(undecayed);
        children.forEach((n, c) -> c.undecayedNames().forEach(k -> out.add(n + "." + k)));
        return out;
    }

    /** The parameters weight decay applies to ({@code decayed}) or leaves alone, in registration order. */
    public List<Tensor> parameters(boolean decayed) {
        java.util.Set<String> skip = undecayedNames();
        List<Tensor> out = new ArrayList<>();
        namedParameters().forEach((k, v) -> {
            if (skip.contains(k) != decayed) {
                out.add(v);
            }
        });
        return out;
    }

    /** Registers a non-trainable state tensor that is saved with the weights (batch-norm statistics). */
    protected final Tensor buffer(String name, Tensor init) {
        module.register_buffer(name, init);
        return init;
    }

    /** Registers a child net under {@code name}. */
    protected final <N extends Net> N child(String name, N net) {
        module.register_module(name, net.module);
        children.put(name, net);
        return net;
    }

    /** The function this net computes. */
    public abstract Tensor forward(Tensor x);

    /** Training mode (batch-norm statistics, dropout) on or off, for this net and all children. */
    public void train(boolean on) {
        module.train(on);
    }

    public boolean isTraining() {
        return module.is_training();
    }

    /** All trainable parameters, children included, in registration order. */
    public List<Tensor> parameters() {
        TensorVector v = module.parameters(true);
        List<Tensor> out = new ArrayList<>((int) v.size());
        for (long i = 0; i < v.size(); i++) {
            out.add(v.get(i));
        }
        return out;
    }

    /** Parameters by dotted name ({@code enc.conv1.weight}), as Python's {@code state_dict} names them. */
    public Map<String, Tensor> namedParameters() {
        return toMap(module.named_parameters(true));
    }

    /** Buffers by dotted name. */
    public Map<String, Tensor> namedBuffers() {
        return toMap(module.named_buffers(true));
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) {
            n += p.numel();
        }
        return n;
    }

    /** Casts parameters and buffers in place; handles held by subclasses stay valid. */
    public void to(DType dtype) {
        module.to(dtype.scalarType(), false);
    }

    public void to(ComputeDevice device) {
        module.to(device.toTorch(), false);
    }

    /** Freezes or unfreezes every parameter. An attack freezes the weights: it needs input gradients only. */
    public void requiresGrad(boolean on) {
        for (Tensor p : parameters()) {
            p.set_requires_grad(on);
        }
    }

    /** Clears accumulated parameter gradients. */
    public void zeroGrad() {
        module.zero_grad(true);
    }

    /** Saves weights and buffers atomically: written to a temporary file, then renamed over {@code path}. */
    public void save(Path path) throws IOException {
        saveArchive(path, module::save);
    }

    /** Writes an archive filled by {@code fill} to {@code path}: to a temporary file, then renamed over it. */
    static void saveArchive(Path path, java.util.function.Consumer<OutputArchive> fill) throws IOException {
        Path abs = path.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            OutputArchive archive = new OutputArchive();
            fill.accept(archive);
            archive.save_to(tmp.toString());
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (RuntimeException e) {
            throw new IOException("cannot save to " + path + ": " + firstLine(e.getMessage()), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Loads weights saved by {@link #save} into this net; names and shapes must match. */
    public void load(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("no weights file at " + path);
        }
        try {
            InputArchive archive = new InputArchive();
            archive.load_from(path.toString());
            module.load(archive);
        } catch (RuntimeException e) {
            throw new IOException("cannot load weights from " + path + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static Map<String, Tensor> toMap(StringTensorDict dict) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (long i = 0; i < dict.size(); i++) {
            out.put(dict.get(i).key().getString(), dict.get(i).value());
        }
        return out;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unknown engine error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Uniform init in [-bound, bound], as PyTorch's default for conv and linear layers. */
    static Tensor uniform(double bound, long... shape) {
        return torch.rand(shape).mul_(new org.bytedeco.pytorch.Scalar(2 * bound))
                .sub_(new org.bytedeco.pytorch.Scalar(bound));
    }
}
