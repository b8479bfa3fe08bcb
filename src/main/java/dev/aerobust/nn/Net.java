package dev.aerobust.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * Writes an archive filled by {@code fill} to {@code path}. The archive is serialised in memory and written by
     * Java, atomically (a temporary file, then a rename): a full disk or an unwritable folder is an
     * {@link IOException}, never a failure inside the engine's own file writer, which aborts the process.
     */
    static void saveArchive(Path path, java.util.function.Consumer<OutputArchive> fill) throws IOException {
        dev.aerobust.util.Atomic.writeBytes(path, archiveBytes(fill));
    }

    /** An archive filled by {@code fill}, serialised in memory. */
    static byte[] archiveBytes(java.util.function.Consumer<OutputArchive> fill) {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        OutputArchive archive = new OutputArchive();
        fill.accept(archive);
        org.bytedeco.pytorch.ArchiveWriter writer = new org.bytedeco.pytorch.ArchiveWriter() {
            @Override
            public long call(org.bytedeco.javacpp.Pointer data, long size) {
                byte[] b = new byte[Math.toIntExact(size)];
                new org.bytedeco.javacpp.BytePointer(data).capacity(size).limit(size).get(b);
                buf.write(b, 0, b.length);
                return size;
            }
        };
        try {
            archive.save_to(writer);
        } finally {
            writer.close();
        }
        return buf.toByteArray();
    }

    /** This net's weights as the bytes of a {@link #save}d file. */
    public byte[] toBytes() {
        return archiveBytes(module::save);
    }

    /** Loads weights saved by {@link #save} into this net; names and shapes must match. */
    public void load(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("no weights file at " + path);
        }
        load(Files.readAllBytes(path), path.toString());
    }

    /** Loads weights from the bytes of a saved file; {@code where} names them in errors. */
    public void load(byte[] bytes, String where) throws IOException {
        try (org.bytedeco.javacpp.BytePointer p = new org.bytedeco.javacpp.BytePointer(bytes)) {
            InputArchive archive = new InputArchive();
            archive.load_from(p, bytes.length);
            module.load(archive);
        } catch (RuntimeException e) {
            throw new IOException("cannot load weights from " + where + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static Map<String, Tensor> toMap(StringTensorDict dict) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (long i = 0; i < dict.size(); i++) {
            out.put(dict.get(i).key().getString(), dict.get(i).value());
        }
        return out;
    }

    /** The first line of an engine error message (libtorch appends its C++ stack). */
    public static String firstLine(String s) {
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
