package dev.aerobust.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

import dev.aerobust.attack.AttackConfig;
import dev.aerobust.config.Common;
import dev.aerobust.config.Param;
import dev.aerobust.config.ParamSet;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;

/**
 * Command-line options made from settings: one option per {@link Param} of a {@link ParamSet}, its flag, help
 * and shown default all taken from the setting's one definition. The commands read back only the options the
 * user gave; the set resolves the rest and rejects a given option that does not apply.
 */
final class ParamOptions {

    private ParamOptions() {
    }

    /** Adds an option for every setting of {@code set} that the command line offers. */
    static void add(CommandSpec spec, ParamSet set, Set<Param<?>> required) {
        for (Param<?> p : set.settable()) {
            if (!set.option(p)) {
                continue;
            }
            String help = set.help(p).replace("%", "%%");
            OptionSpec.Builder b = (p.formerName() == null ? OptionSpec.builder(p.flag())
                    : OptionSpec.builder(p.flag(), p.formerFlag())).description(help)
                    .required(required.contains(p));
            if (p.type() == Boolean.class) {
                b.type(Boolean.class).arity("0").negatable(true);
            } else {
                b.type(String.class).paramLabel(label(p));
            }
            spec.addOption(b.build());
        }
    }

    private static String label(Param<?> p) {
        if (!p.choiceNames().isEmpty()) {
            return p.name().toUpperCase(java.util.Locale.ROOT);
        }
        if (p.type() == Double.class) {
            return "X";
        }
        if (p.type() == double[].class) {
            return "X,X,...";
        }
        return "N";
    }

    /** The settings of {@code set} the user gave on the command line, parsed and checked. */
    static Map<Param<?>, Object> given(CommandSpec spec, ParamSet set) {
        ParseResult pr = spec.commandLine().getParseResult();
        Map<Param<?>, Object> out = new LinkedHashMap<>();
        for (Param<?> p : set.settable()) {
            if (set.option(p) && pr.hasMatchedOption(p.flag())) {
                Object v = pr.matchedOptionValue(p.flag(), null);
                out.put(p, p.parse(v));
            }
        }
        return out;
    }

    /** {@code train classifier}'s settings as options; the dataset is required. */
    static final class Classifier implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            add(spec, ClassifierConfig.PARAMS, Set.of(Common.DATASET));
            return spec;
        }
    }

    /** {@code train autoencoder}'s settings as options; the dataset and family are required. */
    static final class Autoencoder implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            add(spec, AutoencoderConfig.PARAMS, Set.of(Common.DATASET, AutoencoderConfig.FAMILY));
            return spec;
        }
    }

    /** {@code attack}'s settings as options: the attack's and the evaluation's. */
    static final class Attack implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            add(spec, AttackConfig.PARAMS, Set.of());
            add(spec, EvalConfig.PARAMS, Set.of());
            return spec;
        }
    }
}
