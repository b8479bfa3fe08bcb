package dev.aerobust.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * One setting, defined once: its name, type, default, unit, one-line meaning, the values it accepts, where it
 * applies and whether it is part of what a result is (an identity setting, hashed into model ids and run keys)
 * or only of how fast it is computed (a speed setting, recorded but never hashed). The CLI flag, the sweep-file
 * key, the key in {@code meta.json} and in run keys, and the default shown by {@code --help} all come from here.
 *
 * <p>The name is snake_case ({@code weight_decay}); the flag is the same words in kebab case
 * ({@code --weight-decay}). A default is a function of the settings resolved before it (the dataset, the
 * family, the attack), so one definition can say "100, or 32 on BTSC".
 *
 * @param <T> Integer, Long, Double, Boolean, double[] or an enum
 */
public final class Param<T> {

    /** Whether a setting changes what is computed or only how fast. */
    public enum Role {
        /** Part of the model id or run key. */
        IDENTITY,
        /** Changes speed or memory only: recorded in provenance, never part of an id. */
        SPEED
    }

    private final String name;
    private final Class<T> type;
    private final String unit;
    private final String description;
    private final Function<Settings, T> defaultValue;
    private final Predicate<Settings> applies;
    private final String appliesText;
    private final Predicate<T> valid;
    private final String validText;
    private final Role role;
    private final boolean option;
    private final List<String> aliases;
    private final String formerName;
    private final T legacyAbsent;
    private final T keyOmits;
    private final List<T> choices;

    private Param(Builder<T> b) {
        this.name = b.name;
        this.type = b.type;
        this.unit = b.unit;
        this.description = b.description;
        this.defaultValue = b.defaultValue;
        this.applies = b.applies;
        this.appliesText = b.appliesText;
        this.valid = b.valid;
        this.validText = b.validText;
        this.role = b.role;
        this.option = b.option;
        this.aliases = List.copyOf(b.aliases);
        this.formerName = b.formerName;
        this.legacyAbsent = b.legacyAbsent;
        this.keyOmits = b.keyOmits;
        this.choices = b.choices == null ? null : List.copyOf(b.choices);
    }

    public static Builder<Integer> integer(String name, String description) {
        return new Builder<>(name, Integer.class, description).check(v -> v > 0, "a positive integer");
    }

    public static Builder<Long> longInt(String name, String description) {
        return new Builder<>(name, Long.class, description);
    }

    public static Builder<Double> real(String name, String description) {
        return new Builder<>(name, Double.class, description).check(Double::isFinite, "a finite number");
    }

    public static Builder<Boolean> bool(String name, String description) {
        return new Builder<>(name, Boolean.class, description).defaultsTo(false);
    }

    public static Builder<double[]> reals(String name, String description) {
        return new Builder<>(name, double[].class, description)
                .check(v -> v.length > 0 && Arrays.stream(v).allMatch(Double::isFinite), "finite numbers");
    }

    public static <E extends Enum<E>> Builder<E> choice(String name, Class<E> type, String description) {
        Builder<E> b = new Builder<>(name, type, description);
        b.choices = Arrays.asList(type.getEnumConstants());
        return b;
    }

    public String name() {
        return name;
    }

    /** The command-line flag: the name in kebab case. */
    public String flag() {
        return "--" + name.replace('_', '-');
    }

    public Class<T> type() {
        return type;
    }

    public String unit() {
        return unit;
    }

    public String description() {
        return description;
    }

    public Role role() {
        return role;
    }

    /** The value at which this setting is left out of ids and run keys, or null (see the builder's). */
    public T keyOmits() {
        return keyOmits;
    }

    /** Whether the CLI offers it as an option (false for settings the command takes from elsewhere). */
    public boolean option() {
        return option;
    }

    /** Keys that older stored configurations used for this setting. */
    public List<String> aliases() {
        return aliases;
    }

    /**
     * The name this setting had before it was renamed, still read everywhere a name is (a sweep file, the command
     * line, a stored configuration); null if it was never renamed.
     */
    public String formerName() {
        return formerName;
    }

    /** {@link #formerName}'s flag, or null. */
    public String formerFlag() {
        return formerName == null ? null : "--" + formerName.replace('_', '-');
    }

    /** What an older stored configuration that lacks this setting meant by its absence (null: the default). */
    T legacyAbsent() {
        return legacyAbsent;
    }

    public String appliesText() {
        return appliesText;
    }

    public String validText() {
        return validText;
    }

    /** The accepted values of an enum setting, as spelled on the command line. */
    public List<String> choiceNames() {
        return choices == null ? List.of() : choices.stream().map(Param::spell).toList();
    }

    boolean appliesTo(Settings resolvedSoFar) {
        return applies.test(resolvedSoFar);
    }

    T defaultFor(Settings resolvedSoFar) {
        return defaultValue.apply(resolvedSoFar);
    }

    /** Checks a value; a bad one is a usage error naming the setting. */
    T validate(T v) {
        if (v == null || !valid.test(v)) {
            throw new AerobustException(ExitCode.USAGE, flag() + " must be " + validText + ", got '"
                    + (v == null ? "nothing" : display(v)) + "'");
        }
        return v;
    }

    /**
     * A value from the command line (a string), a sweep file or a stored configuration (a string, number,
     * boolean or list). A value of the wrong kind is a usage error naming the setting.
     */
    public T parse(Object raw) {
        T v;
        try {
            v = type.cast(convert(raw));
        } catch (IllegalArgumentException | ClassCastException | ArithmeticException e) {
            if (choices != null) {
                throw new AerobustException(ExitCode.USAGE, "unknown " + flag() + " '" + raw + "' (known: "
                        + String.join(", ", choiceNames()) + ")");
            }
            throw new AerobustException(ExitCode.USAGE, flag() + " must be " + validText + ", got '" + raw + "'");
        }
        if (!valid.test(v)) {
            throw new AerobustException(ExitCode.USAGE, flag() + " must be " + validText + ", got '"
                    + (raw instanceof String ? raw : display(v)) + "'");
        }
        return v;
    }

    private Object convert(Object raw) {
        if (raw == null) {
            throw new IllegalArgumentException("null");
        }
        if (type.isInstance(raw) && !(raw instanceof double[]) && !(raw instanceof Double)) {
            return raw;
        }
        if (choices != null) {
            String want = raw.toString().trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (T c : choices) {
                if (spell(c).equals(want)) {
                    return c;
                }
            }
            throw new IllegalArgumentException(want);
        }
        java.util.function.Function<Object, Object> parser = PARSERS.get(type);
        if (parser == null) {
            throw new IllegalStateException("no parser for " + type);
        }
        return parser.apply(raw);
    }

    /**
     * One parser per type of value: from the command line's string, a sweep file's scalar or list, or a stored
     * configuration's number. A real is never -0 (it would name a second record of eps 0).
     */
    private static final Map<Class<?>, java.util.function.Function<Object, Object>> PARSERS = Map.of(
            Integer.class, Param::integerOf,
            Long.class, Param::longOf,
            Double.class, raw -> realOf(raw),
            Boolean.class, Param::booleanOf,
            double[].class, Param::realsOf);

    private static Object integerOf(Object raw) {
        if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return Math.toIntExact(n.longValue());
        }
        return Integer.valueOf(raw.toString().trim());
    }

    private static Object longOf(Object raw) {
        if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        return Long.valueOf(raw.toString().trim());
    }

    private static double realOf(Object raw) {
        double v = raw instanceof Number n ? n.doubleValue() : Double.parseDouble(raw.toString().trim());
        return v + 0.0;
    }

    private static Object booleanOf(Object raw) {
        String s = raw.toString().trim();
        if ("true".equalsIgnoreCase(s) || "false".equalsIgnoreCase(s)) {
            return Boolean.valueOf(s);
        }
        throw new IllegalArgumentException(s);
    }

    private static Object realsOf(Object raw) {
        List<Object> items = new ArrayList<>();
        if (raw instanceof List<?> l) {
            items.addAll(l);
        } else if (raw instanceof double[] d) {
            return Arrays.stream(d).map(v -> v + 0.0).toArray();
        } else {
            String s = raw.toString().trim();
            if (s.isEmpty() || s.endsWith(",") || s.startsWith(",") || s.contains(",,")) {
                throw new IllegalArgumentException(s);
            }
            items.addAll(Arrays.asList(s.split(",")));
        }
        double[] out = new double[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = realOf(items.get(i));
        }
        return out;
    }

    /** How a value is written in JSON, sweep files and ids: enums in lower kebab case, lists as lists. */
    public Object json(T v) {
        if (v instanceof Enum<?> e) {
            return spell(e);
        }
        if (v instanceof double[] d) {
            return Arrays.stream(d).boxed().toList();
        }
        return v;
    }

    /** How a value is shown to a person. */
    public String display(Object v) {
        if (v instanceof Enum<?> e) {
            return spell(e);
        }
        if (v instanceof double[] d) {
            return Arrays.stream(d).mapToObj(Param::number).collect(Collectors.joining(","));
        }
        if (v instanceof Double d) {
            return number(d);
        }
        return String.valueOf(v);
    }

    private static String number(double d) {
        if (!Double.isFinite(d)) {
            return String.valueOf(d);
        }
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /** An enum constant as the command line spells it: FASHION_MNIST is fashion-mnist. */
    public static String spell(Object e) {
        return ((Enum<?>) e).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * Builds a {@link Param}. Defaults to: an identity setting, applying everywhere, offered on the command line,
     * accepting any value of its type (integers: positive ones; reals: finite ones).
     */
    public static final class Builder<T> {
        private final String name;
        private final Class<T> type;
        private final String description;
        private String unit = "";
        private Function<Settings, T> defaultValue;
        private Predicate<Settings> applies = s -> true;
        private String appliesText = "";
        private Predicate<T> valid = v -> true;
        private String validText = "a value";
        private Role role = Role.IDENTITY;
        private boolean option = true;
        private final List<String> aliases = new ArrayList<>();
        private String formerName;
        private T legacyAbsent;
        private T keyOmits;
        private List<T> choices;

        private Builder(String name, Class<T> type, String description) {
            if (!name.matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException("setting names are snake_case: " + name);
            }
            this.name = name;
            this.type = type;
            this.description = description;
            if (type == Long.class) {
                validText = "an integer";
            }
        }

        public Builder<T> unit(String u) {
            this.unit = u;
            return this;
        }

        public Builder<T> defaultsTo(T v) {
            this.defaultValue = s -> v;
            return this;
        }

        /** A default that depends on settings declared before this one. */
        public Builder<T> defaultsTo(Function<Settings, T> f) {
            this.defaultValue = f;
            return this;
        }

        /** Where the setting means something; setting it elsewhere is a usage error that quotes {@code text}. */
        public Builder<T> appliesTo(Predicate<Settings> p, String text) {
            this.applies = p;
            this.appliesText = text;
            return this;
        }

        /** The values accepted, and how an error message describes them. */
        public Builder<T> check(Predicate<T> p, String text) {
            Predicate<T> typeCheck = type == Double.class ? v -> Double.isFinite((Double) v) : v -> true;
            this.valid = v -> typeCheck.test(v) && p.test(v);
            this.validText = text;
            return this;
        }

        public Builder<T> speed() {
            this.role = Role.SPEED;
            return this;
        }

        /** Not a command-line option: the command derives it (the dataset of an attack comes from the model). */
        public Builder<T> notAnOption() {
            this.option = false;
            return this;
        }

        /** Keys an older stored configuration used for this setting. */
        public Builder<T> alias(String... keys) {
            aliases.addAll(Arrays.asList(keys));
            return this;
        }

        /** The setting was called {@code name} before: that name is still read wherever its name is. */
        public Builder<T> formerly(String name) {
            this.formerName = name;
            aliases.add(name);
            return this;
        }

        /** What an older stored configuration that did not have this setting yet was computed with. */
        public Builder<T> legacyAbsent(T v) {
            this.legacyAbsent = v;
            return this;
        }

        /**
         * A setting added after results existed: at {@code v}, what those results were computed with, it is left
         * out of model ids and run keys ({@link Settings#key()}), so they keep theirs. It is still recorded.
         */
        public Builder<T> keyOmits(T v) {
            this.keyOmits = v;
            return this;
        }

        /** Restricts an enum setting to some of its constants. */
        @SafeVarargs
        public final Builder<T> only(T... allowed) {
            this.choices = Arrays.asList(allowed);
            List<T> ok = List.copyOf(choices);
            this.valid = ok::contains;
            this.validText = "one of " + ok.stream().map(Param::spell).collect(Collectors.joining(", "));
            return this;
        }

        public Param<T> build() {
            Objects.requireNonNull(defaultValue, () -> name + " has no default");
            if (choices != null && "a value".equals(validText)) {
                validText = "one of " + choices.stream().map(Param::spell).collect(Collectors.joining(", "));
            }
            return new Param<>(this);
        }
    }
}
