package dev.aerobust.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.aerobust.experiment.ModelStore;
import dev.aerobust.experiment.Sweep;
import dev.aerobust.util.AerobustException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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
            List<ObjectNode> models = store.list();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ArrayNode arr = Json.MAPPER.createArrayNode();
                for (ObjectNode m : models) {
                    ObjectNode copy = m.deepCopy();
                    if (copy.get("training") instanceof ObjectNode t) {
                        t.remove("curve");
                    }
                    copy.put("weights_stored", !store.weightless(copy.path("id").asText()));
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
            for (ObjectNode m : models) {
                String settings;
                try {
                    settings = dev.aerobust.experiment.ModelImport.scripted(m) ? "torchscript (imported)"
                            : Sweep.brief(ModelStore.config(m));
                } catch (AerobustException e) {
                    settings = "(unreadable configuration)";
                }
                if (store.weightless(m.path("id").asText())) {
                    // a store shared for its records: the metadata is here, the weights are not
                    settings += " (no weights)";
                }
                StringBuilder metrics = new StringBuilder();
                m.path("metrics").fields().forEachRemaining(e -> {
                    if (e.getValue().isNumber() && !e.getKey().equals("test_images")) {
                        metrics.append(e.getKey()).append(' ')
                                .append(String.format("%.4f", e.getValue().asDouble())).append("  ");
                    }
                });
                out.printf("%-36s %-10s %-14s %-22s %s%n", m.path("id").asText(),
                        m.has("family") ? m.path("family").asText() : m.path("kind").asText(),
                        m.path("dataset").asText(), settings, metrics.toString().trim());
            }
            return 0;
        }
    }
}
