package dev.aerobust.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The plan file that {@code aerobust sweep --spark} writes: the sweep's name, the units to run in stages, each
 * unit's threads, the Spark settings given on the command line, and the unit worker's command line and
 * environment, valid on every node (aerobust and its store at the same paths).
 *
 * @param sweep     the sweep's name
 * @param master    the Spark master URL, or {@code submit} for the one spark-submit gives
 * @param threads   each unit's engine threads: the cores its task takes
 * @param planUnits every unit of the sweep's plan, done or not (the numbers the progress lines count against)
 * @param conf      Spark settings
 * @param command   the worker's command line, less {@code --unit}, {@code --label} and {@code --threads}
 * @param env       the worker's environment
 * @param stages    the units of each stage, in order
 */
record Plan(String sweep, String master, int threads, int planUnits, Map<String, String> conf, List<String> command,
            Map<String, String> env, List<List<Unit>> stages) {

    /** One unit: its number in the sweep's plan (from 1) and its label, which the worker checks. */
    record Unit(int number, String label) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    static Plan read(Path file) throws IOException {
        JsonNode o = new ObjectMapper().readTree(file.toFile());
        List<List<Unit>> stages = new ArrayList<>();
        for (JsonNode s : o.path("stages")) {
            List<Unit> st = new ArrayList<>();
            for (JsonNode u : s) {
                st.add(new Unit(u.path("unit").asInt(), u.path("label").asText()));
            }
            stages.add(st);
        }
        List<String> command = new ArrayList<>();
        o.path("worker").path("command").forEach(x -> command.add(x.asText()));
        if (command.isEmpty() || stages.isEmpty() || o.path("threads").asInt(0) < 1) {
            throw new IOException(file + " is not a plan that aerobust sweep --spark wrote");
        }
        return new Plan(o.path("sweep").asText(), o.path("master").asText("submit"), o.path("threads").asInt(),
                o.path("plan_units").asInt(), strings(o.path("conf")), command, strings(o.path("worker").path("env")),
                stages);
    }

    private static Map<String, String> strings(JsonNode o) {
        Map<String, String> m = new LinkedHashMap<>();
        o.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    /** The units of every stage. */
    int units() {
        return stages.stream().mapToInt(List::size).sum();
    }
}
