package dev.aerobust.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * The settings of one kind of thing (a classifier's training, an autoencoder's, an attack, an evaluation), in
 * the order they resolve: the ones that others depend on (dataset, family, attack) come first. It resolves
 * given values into {@link Settings}, reads them from sweep files and stored configurations by name, and
 * describes each default for help texts, evaluated over every combination of the enum settings listed as
 * contexts, so a help text can never say something the code does not do.
 */
public final class ParamSet {

    private final String kind;
    private final List<Param<?>> params;
    private final List<Param<?>> contexts;
    private final List<Consumer<Settings>> checks;
    private final java.util.Set<Param<?>> fromModel;
    private final Map<String, Param<?>> byName = new HashMap<>();

    private ParamSet(String kind, List<Param<?>> params, List<Param<?>> contexts, List<Consumer<Settings>> checks,
                     java.util.Set<Param<?>> fromModel) {
        this.kind = kind;
        this.params = List.copyOf(params);
        this.contexts = List.copyOf(contexts);
        this.checks = List.copyOf(checks);
        this.fromModel = java.util.Set.copyOf(fromModel);
        for (Param<?> p : params) {
            if (byName.put(p.name(), p) != null) {
                throw new IllegalArgumentException("two settings named " + p.name() + " in " + kind);
            }
        }
    }

    /** Starts a set: {@code contexts} are enum settings whose values the defaults of the others may depend on. */
    public static Builder of(String kind) {
        return new Builder(kind);
    }

    public String kind() {
        return kind;
    }

    public List<Param<?>> params() {
        return params;
    }

    public boolean contains(Param<?> p) {
        return byName.get(p.name()) == p;
    }

    /**
     * Whether {@code p} is given on the command line and in sweep files in this set: a setting that is an option
     * and that the set does not take from the attacked model.
     */
    public boolean option(Param<?> p) {
        return p.option() && !fromModel.contains(p);
    }

    /** The setting with this name; an unknown name is a usage error that lists the known ones. */
    public Param<?> byName(String name) {
        Param<?> p = byName.get(name);
        if (p == null) {
            p = params.stream().filter(q -> name.equals(q.formerName())).findFirst().orElse(null);
        }
        if (p == null) {
            throw new AerobustException(ExitCode.USAGE, "unknown " + kind + " setting '" + name + "' (known: "
                    + params.stream().map(Param::name).collect(Collectors.joining(", ")) + ")");
        }
        return p;
    }

    /** The defaults, with the given settings in place (pairs of param and value). */
    public Settings defaults(Object... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("param, value pairs");
        }
        Map<Param<?>, Object> given = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            given.put((Param<?>) pairs[i], pairs[i + 1]);
        }
        return resolve(given);
    }

    /**
     * Resolves the given values and the defaults of the rest, in order. A given setting that does not apply
     * under the others is a usage error naming it and where it applies; every value and the set's own
     * cross-checks are validated.
     */
    @SuppressWarnings("unchecked")
    public Settings resolve(Map<Param<?>, Object> given) {
        for (Param<?> p : given.keySet()) {
            if (!contains(p)) {
                throw new IllegalArgumentException(p.name() + " is not a setting of " + kind);
            }
        }
        Map<Param<?>, Object> values = new LinkedHashMap<>();
        Map<Param<?>, Boolean> applies = new HashMap<>();
        Settings partial = new Settings(this, given, values, applies, false);
        for (Param<?> p : params) {
            Param<Object> q = (Param<Object>) p;
            boolean ok = q.appliesTo(partial);
            if (given.containsKey(p)) {
                if (!ok) {
                    throw new AerobustException(ExitCode.USAGE, p.flag() + " does not apply here: it is for "
                            + p.appliesText() + " (" + describeContext(partial) + ")");
                }
                values.put(p, q.validate(given.get(p)));
            } else {
                values.put(p, q.defaultFor(partial));
            }
            applies.put(p, ok);
        }
        Settings s = new Settings(this, given, Map.copyOf(values), Map.copyOf(applies), true);
        for (Consumer<Settings> c : checks) {
            c.accept(s);
        }
        return s;
    }

    private String describeContext(Settings partial) {
        List<String> parts = new ArrayList<>();
        for (Param<?> c : contexts) {
            if (partial.has(c)) {
                parts.add(c.name() + " " + c.display(partial.get(c)));
            }
        }
        return parts.isEmpty() ? kind : String.join(", ", parts);
    }

    /**
     * Settings from a sweep file or a stored configuration, by name. An unknown key is a usage error naming it
     * and {@code where}. With {@code legacy}, a configuration written by an earlier version is read: keys by
     * their aliases (or camelCase spelling), settings that do not apply dropped, settings it lacks taken as
     * what they meant then, speed settings ignored.
     */
    public Settings fromMap(Map<String, ?> raw, String where, boolean legacy) {
        Map<String, Param<?>> keys = new HashMap<>(byName);
        for (Param<?> p : params) {
            if (p.formerName() != null) {
                keys.putIfAbsent(p.formerName(), p);
            }
        }
        if (legacy) {
            for (Param<?> p : params) {
                for (String a : p.aliases()) {
                    keys.put(a, p);
                }
                keys.put(camel(p.name()), p);
            }
        }
        Map<Param<?>, Object> given = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : raw.entrySet()) {
            Param<?> p = keys.get(e.getKey());
            if (p == null) {
                if (legacy) {
                    continue;
                }
                throw new AerobustException(ExitCode.USAGE, where + ": unknown " + kind + " setting '" + e.getKey()
                        + "' (known: " + params.stream().map(Param::name).collect(Collectors.joining(", ")) + ")");
            }
            try {
                given.put(p, p.parse(e.getValue()));
            } catch (AerobustException ex) {
                throw new AerobustException(ex.exitCode(), where + ": " + ex.getMessage());
            }
        }
        if (!legacy) {
            try {
                return resolve(given);
            } catch (AerobustException ex) {
                throw new AerobustException(ex.exitCode(), where + ": " + ex.getMessage());
            }
        }
        for (Param<?> p : params) {
            if (p.role() == Param.Role.SPEED) {
                given.remove(p);
            } else if (!given.containsKey(p) && p.legacyAbsent() != null) {
                given.put(p, p.legacyAbsent());
            }
        }
        // keep only what applies, in resolution order: an earlier version stored every field of its record
        Map<Param<?>, Object> kept = new LinkedHashMap<>();
        for (Param<?> p : params) {
            if (given.containsKey(p)) {
                Map<Param<?>, Object> trial = new LinkedHashMap<>(kept);
                trial.put(p, given.get(p));
                try {
                    resolveWithoutChecks(trial);
                    kept = trial;
                } catch (AerobustException ignored) {
                    // did not apply in the old configuration either: the old record had a field for it anyway
                }
            }
        }
        return resolve(kept);
    }

    private void resolveWithoutChecks(Map<Param<?>, Object> given) {
        ParamSet unchecked = new ParamSet(kind, params, contexts, List.of(), fromModel);
        unchecked.resolve(given);
    }

    private static String camel(String snake) {
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    /**
     * The default of {@code p} in words, computed by resolving the defaults under every combination of the
     * context settings: "100 (btsc: 32)", or "0.1 (cae, cvae)" for a setting that applies to some only.
     */
    public String defaultText(Param<?> p) {
        if (contexts.contains(p)) {
            return p.display(resolve(Map.of()).get(p));
        }
        List<Map<Param<?>, Object>> combos = combinations();
        // value under each combination where it applies
        Map<Map<Param<?>, Object>, String> shown = new LinkedHashMap<>();
        for (Map<Param<?>, Object> c : combos) {
            Settings s;
            try {
                s = resolve(c);
            } catch (AerobustException e) {
                continue;
            }
            if (s.applies(p)) {
                shown.put(c, p.display(s.get(p)));
            }
        }
        if (shown.isEmpty()) {
            return "";
        }
        Map<String, Long> counts = shown.values().stream()
                .collect(Collectors.groupingBy(v -> v, LinkedHashMap::new, Collectors.counting()));
        if (counts.size() == 1) {
            return shown.values().iterator().next();
        }
        String common = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        // the context the value depends on
        for (Param<?> ctx : contexts) {
            Map<Object, String> byCtx = new LinkedHashMap<>();
            boolean function = true;
            for (Map.Entry<Map<Param<?>, Object>, String> e : shown.entrySet()) {
                String prev = byCtx.put(e.getKey().get(ctx), e.getValue());
                if (prev != null && !prev.equals(e.getValue())) {
                    function = false;
                    break;
                }
            }
            if (function) {
                Map<String, List<String>> others = new LinkedHashMap<>();
                byCtx.forEach((k, v) -> {
                    if (!v.equals(common)) {
                        others.computeIfAbsent(v, x -> new ArrayList<>()).add(Param.spell(k));
                    }
                });
                return common + " (" + others.entrySet().stream()
                        .map(e -> String.join(", ", e.getValue()) + ": " + e.getKey())
                        .collect(Collectors.joining("; ")) + ")";
            }
        }
        return shown.entrySet().stream().map(e -> e.getKey().values().stream().map(Param::spell)
                .collect(Collectors.joining("/")) + ": " + e.getValue()).collect(Collectors.joining("; "));
    }

    /** Whether {@code p} applies under some combination of the contexts (else the set only keeps its value). */
    public boolean everApplies(Param<?> p) {
        for (Map<Param<?>, Object> c : combinations()) {
            try {
                if (resolve(c).applies(p)) {
                    return true;
                }
            } catch (AerobustException e) {
                // a combination the set's checks reject
            }
        }
        return false;
    }

    /** The settings a user can set: those that apply somewhere. */
    public List<Param<?>> settable() {
        return params.stream().filter(this::everApplies).toList();
    }

    /** Every combination of the context settings' values. */
    public List<Map<Param<?>, Object>> combinations() {
        List<Map<Param<?>, Object>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (Param<?> c : contexts) {
            List<Map<Param<?>, Object>> next = new ArrayList<>();
            Object[] values = c.type().getEnumConstants();
            for (Map<Param<?>, Object> m : out) {
                for (Object v : values) {
                    if (!c.choiceNames().contains(Param.spell(v))) {
                        continue;
                    }
                    Map<Param<?>, Object> n = new LinkedHashMap<>(m);
                    n.put(c, v);
                    next.add(n);
                }
            }
            out = next;
        }
        return out;
    }

    /** The one-line help of a setting: meaning, unit, accepted values, default, where it applies. */
    public String help(Param<?> p) {
        StringBuilder b = new StringBuilder(p.description());
        if (!p.unit().isEmpty()) {
            b.append(" [").append(p.unit()).append(']');
        }
        if (!p.choiceNames().isEmpty()) {
            b.append(" One of: ").append(String.join(", ", p.choiceNames())).append('.');
        }
        String d = defaultText(p);
        if (!d.isEmpty()) {
            b.append(" Default: ").append(d).append('.');
        }
        if (!p.appliesText().isEmpty()) {
            b.append(" For ").append(p.appliesText()).append('.');
        }
        if (p.role() == Param.Role.SPEED) {
            b.append(" Speed/memory only: not part of ids.");
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return kind + Arrays.toString(params.toArray());
    }

    /** Builds a set. */
    public static final class Builder {
        private final String kind;
        private final List<Param<?>> params = new ArrayList<>();
        private final List<Param<?>> contexts = new ArrayList<>();
        private final List<Consumer<Settings>> checks = new ArrayList<>();
        private final java.util.Set<Param<?>> fromModel = new java.util.HashSet<>();

        private Builder(String kind) {
            this.kind = kind;
        }

        /** An enum setting the defaults of later ones may depend on; help texts enumerate its values. */
        public Builder context(Param<?> p) {
            if (!p.type().isEnum()) {
                throw new IllegalArgumentException("a context is an enum setting: " + p.name());
            }
            contexts.add(p);
            params.add(p);
            return this;
        }

        /** A setting of the set that comes from the attacked model, not from the command line or a sweep file. */
        public Builder fromModel(Param<?> p) {
            fromModel.add(p);
            return this;
        }

        public Builder add(Param<?>... ps) {
            params.addAll(Arrays.asList(ps));
            return this;
        }

        /** A check across settings; it throws a usage error when they do not fit together. */
        public Builder check(Consumer<Settings> c) {
            checks.add(c);
            return this;
        }

        public ParamSet build() {
            Objects.requireNonNull(kind);
            return new ParamSet(kind.toLowerCase(Locale.ROOT), params, contexts, checks, fromModel);
        }
    }
}
