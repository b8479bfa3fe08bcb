package dev.aerobust.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.aerobust.data.DataException;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.ImageSet;
import dev.aerobust.data.Split;
import dev.aerobust.eval.Accuracy;
import dev.aerobust.model.ScriptedAutoencoder;
import dev.aerobust.model.ScriptedClassifier;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.store.Provenance;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Hashing;

/**
 * A user's own PyTorch models in the store: a TorchScript classifier (images in [0, 1] NCHW to logits) or
 * autoencoder (images to reconstructions, with an optional {@code encode} method for the latent statistics),
 * for one dataset. The module is checked on the dataset's image shape before it is stored; its id is named by its
 * bytes' hash, so importing the same file twice finds the first. Every attack, and the worst case, then works on
 * it as on a trained model; a classifier also has its clean test accuracy measured on import.
 */
public final class ModelImport {

    private static final Logger LOG = LoggerFactory.getLogger(ModelImport.class);

    private ModelImport() {
    }

    /** Imports {@code file} as a {@code kind} (classifier or autoencoder) of {@code d}; returns its metadata. */
    public static ModelTraining.Outcome run(String kind, DatasetId d, Path file, Path dataDir, ModelStore store)
            throws IOException {
        if (!ClassifierConfig.KIND.equals(kind) && !AutoencoderConfig.KIND.equals(kind)) {
            throw new AerobustException(ExitCode.USAGE, "unknown kind '" + kind + "' (known: classifier, autoencoder)");
        }
        if (Files.isDirectory(file)) {
            throw new AerobustException(ExitCode.USAGE, file + " is a folder, not a TorchScript file (a module saved"
                    + " with torch.jit.script(model).save(\"model.pt\"))");
        }
        if (!Files.isRegularFile(file)) {
            throw new AerobustException(ExitCode.USAGE, file + ": no such file");
        }
        byte[] bytes = Files.readAllBytes(file);
        String sha = Hashing.sha256(bytes);
        String id = "ts-" + kind + "-" + d.cliName() + "-" + sha.substring(0, 12);
        if (store.has(id) && store.intact(id)) {
            return new ModelTraining.Outcome(id, store.meta(id), true);
        }
        ImageSet test = Datasets.load(d, Split.TEST, dataDir, 0);
        int[] shape = test.shape();
        ModelMeta.Metrics metrics = null;
        Boolean encode = null;
        Long latent = null;
        if (ClassifierConfig.KIND.equals(kind)) {
            ScriptedClassifier clf = new ScriptedClassifier(file);
            clf.freeze();
            check(file, clf::logits, shape, new long[] {2, d.classes()}, "logits");
            dev.aerobust.eval.Outputs.requireFinite(clf::logits, test, "the classifier in " + file);
            double acc = Accuracy.of(x -> Autograd.noGrad(() -> clf.logits(x)), test, 500);
            LOG.info("clean test accuracy {}", String.format("%.4f", acc));
            metrics = ModelMeta.Metrics.classifier(acc, test.size());
        } else {
            ScriptedAutoencoder ae = new ScriptedAutoencoder(file);
            ae.freeze();
            long[] in = {2, shape[0], shape[1], shape[2]};
            check(file, ae::reconstruct, shape, in, "reconstructions");
            dev.aerobust.eval.Outputs.requireFinite(ae::reconstruct, test, "the autoencoder in " + file);
            encode = ae.hasLatent();
            if (ae.hasLatent()) {
                try (Scope s = Scope.open()) {
                    Tensor z = ae.latent(torch.zeros(in));
                    if (z.dim() != 2 || z.size(0) != 2) {
                        throw new DataException(file, "encode maps " + Arrays.toString(in) + " to "
                                + Arrays.toString(Tensors.shape(z)) + "; it must return [2, latent]");
                    }
                    latent = z.size(1);
                }
            }
        }
        store.saveBytes(id, bytes, ModelMeta.imported(id, ModelMeta.Kind.parse(kind), d,
                file.toAbsolutePath().toString(), encode, latent, Provenance.now(0, d.cliName(), test.checksum()),
                metrics));
        LOG.info("imported {} as {}", file, id);
        return new ModelTraining.Outcome(id, store.meta(id), false);
    }

    private static void check(Path file, java.util.function.Function<Tensor, Tensor> f, int[] shape, long[] want,
                              String what) {
        long[] in = {2, shape[0], shape[1], shape[2]};
        try (Scope s = Scope.open()) {
            long[] got = Tensors.shape(Autograd.noGrad(() -> f.apply(torch.rand(in))));
            if (!Arrays.equals(got, want)) {
                throw new DataException(file, "forward maps " + Arrays.toString(in) + " to " + Arrays.toString(got)
                        + "; it must return " + what + " " + Arrays.toString(want));
            }
        }
    }
}
