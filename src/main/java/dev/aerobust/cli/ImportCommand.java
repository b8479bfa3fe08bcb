package dev.aerobust.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.aerobust.data.DatasetId;
import dev.aerobust.experiment.ModelImport;
import dev.aerobust.experiment.ModelTraining;
import dev.aerobust.nn.Engine;
import dev.aerobust.store.ModelStore;

/** Brings a user's TorchScript classifier or autoencoder into the store. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Store your own PyTorch model, saved as TorchScript, so that every attack works on it as on"
                + " aerobust's: a classifier (forward: images in [0, 1], NCHW, to logits) or an autoencoder (forward:"
                + " images to reconstructions of the same shape; an exported encode method, returning the latent"
                + " code or a tuple whose first element is it, gives the latent statistics).",
            "The module is checked on the dataset's image shape before it is stored (a wrong input or output shape"
                    + " is exit 3); a classifier's clean test accuracy is measured. Attack an imported autoencoder"
                    + " stacked on a classifier with: aerobust attack --model ID --classifier CLASSIFIER_ID.",
            "Save a module in Python with torch.jit.script(model.eval()).save(\"model.pt\")."})
final class ImportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "KIND", description = "classifier or autoencoder")
    String kind;

    @Parameters(index = "1", paramLabel = "FILE", description = "The TorchScript file.")
    Path file;

    @Option(names = "--dataset", required = true, paramLabel = "D", description = "Its dataset: mnist, fashion-mnist or btsc.")
    String dataset;

    @Option(names = "--json", description = "Print the stored model's metadata as JSON.")
    boolean json;

    @Mixin
    DataDirOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DatasetId d = DatasetId.parse(dataset);
        Engine.init();
        ModelStore store = ModelStore.atHome();
        ModelStore.checkWritable(store.root());
        ModelTraining.Outcome o = ModelImport.run(kind, d, file, data.resolve(), store);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.MAPPER.writeValueAsString(o.meta()));
        } else {
            out.println(o.id() + (o.reused() ? " (already imported)" : "")
                    + (o.meta().metrics() != null && o.meta().metrics().cleanAccuracy() != null
                    ? "  clean_accuracy " + o.meta().metrics().cleanAccuracy() : ""));
        }
        return 0;
    }
}
