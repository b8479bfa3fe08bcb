package dev.aerobust.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.aerobust.attack.AttackConfig;
import dev.aerobust.config.Param;
import dev.aerobust.config.ParamSet;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** {@code aerobust settings}: every setting, from its one definition. */
@Command(name = "settings", mixinStandardHelpOptions = true,
        description = {"List every setting of training, attacks and evaluation: name (the key in sweep files and"
                + " in what the store records), flag, default, unit, meaning, where it applies, and whether it is part of ids"
                + " (identity) or only of speed."})
final class SettingsCommand implements Callable<Integer> {

    static final List<ParamSet> SETS = List.of(ClassifierConfig.PARAMS, AutoencoderConfig.PARAMS,
            AttackConfig.PARAMS, EvalConfig.PARAMS);

    @Parameters(arity = "0..1", paramLabel = "KIND", description = "classifier, autoencoder, attack or evaluation (default: all).")
    String kind;

    @Option(names = "--json", description = "Print the settings as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<ParamSet> sets = new ArrayList<>();
        for (ParamSet s : SETS) {
            if (kind == null || s.kind().equals(kind)) {
                sets.add(s);
            }
        }
        if (sets.isEmpty()) {
            throw new AerobustException(ExitCode.USAGE, "unknown kind '" + kind
                    + "' (known: classifier, autoencoder, attack, evaluation)");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, List<Setting>> all = new LinkedHashMap<>();
            for (ParamSet s : sets) {
                List<Setting> rows = new ArrayList<>();
                for (Param<?> p : s.settable()) {
                    rows.add(new Setting(p.name(), s.option(p) ? p.flag() : null, p.type().isEnum() ? "choice"
                            : p.type().getSimpleName().toLowerCase(), p.choiceNames(), s.defaultText(p), p.unit(),
                            p.description(), p.appliesText().isEmpty() ? "all" : p.appliesText(),
                            p.role().name().toLowerCase()));
                }
                all.put(s.kind(), rows);
            }
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(all));
            return 0;
        }
        for (ParamSet s : sets) {
            out.println(s.kind() + ":");
            for (Param<?> p : s.settable()) {
                out.printf("  %-16s %-18s %s%n", p.name(), s.option(p) ? p.flag() : "(from the model)", s.help(p));
            }
            out.println();
        }
        return 0;
    }

    /** One setting as {@code settings --json} prints it: its one definition ({@link Param}). */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Setting(String name, String flag, String type, List<String> choices,
                   @com.fasterxml.jackson.annotation.JsonProperty("default") String defaultValue, String unit,
                   String meaning, String appliesTo, String role) {
    }
}
