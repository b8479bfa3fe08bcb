package dev.aerobust.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.sweep.Sweep;
import dev.aerobust.train.TrainedModels;
import dev.aerobust.util.AerobustException;

/** {@code aerobust models list}. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List the trained models in the store.",
        subcommands = {ModelsCommand.ListModels.class})
final class ModelsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand (list)");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Show every stored model: id, kind, dataset, key settings and final metrics.")
    static final class ListModels implements Callable<Integer> {
        @Option(names = "--json", description = "Print a JSON array of the models' metadata (without training curves).")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ModelStore store = ModelStore.atHome();
            List<ModelMeta> models = store.list();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ArrayNode arr = Json.MAPPER.createArrayNode();
                for (ModelMeta m : models) {
                    ObjectNode copy = Json.MAPPER.valueToTree(m);
                    if (copy.get("training") instanceof ObjectNode t) {
                        t.remove("curve");
                    }
                    copy.put("weights_stored", !store.weightless(m.id()));
                    arr.add(copy);
                }
                out.println(Json.MAPPER.writeValueAsString(arr));
                return 0;
            }
            if (models.isEmpty()) {
                out.println("no models in " + store.root());
                return 0;
            }
            out.printf("%-36s %-10s %-14s %-22s %s%n", "id", "kind", "dataset", "settings", "metrics");
            for (ModelMeta m : models) {
                String settings;
                try {
                    settings = m.scripted() ? "torchscript (imported)" : Sweep.brief(TrainedModels.config(m));
                } catch (AerobustException e) {
                    settings = "(unreadable configuration)";
                }
                if (store.weightless(m.id())) {
                    // a store shared for its records: the metadata is here, the weights are not
                    settings += " (no weights)";
                }
                StringBuilder metrics = new StringBuilder();
                if (m.metrics() != null) {
                    Json.MAPPER.valueToTree(m.metrics()).fields().forEachRemaining(e -> {
                        if (e.getValue().isNumber() && !e.getKey().equals("test_images")) {
                            metrics.append(e.getKey()).append(' ')
                                    .append(String.format("%.4f", e.getValue().asDouble())).append("  ");
                        }
                    });
                }
                out.printf("%-36s %-10s %-14s %-22s %s%n", m.id(), m.family() != null ? m.family().label()
                        : m.kind().label(), m.dataset().cliName(), settings, metrics.toString().trim());
            }
            return 0;
        }
    }
}
