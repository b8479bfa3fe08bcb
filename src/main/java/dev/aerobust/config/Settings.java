package dev.aerobust.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The resolved values of one {@link ParamSet}: what was given, and the defaults for the rest. Immutable;
 * {@link #with} gives a changed copy, resolved and checked again (a changed dataset re-derives the defaults that
 * depend on it). A setting that does not apply (the latent scale of a deterministic defense) reads as its
 * default and is left out of {@link #identity()} and {@link #speed()}.
 */
public final class Settings {

    private final ParamSet set;
    private final Map<Param<?>, Object> given;
    private final Map<Param<?>, Object> values;
    private final Map<Param<?>, Boolean> applies;
    /** Whether every value is resolved (not the partial settings a resolution evaluates defaults on). */
    private final boolean complete;
    /** The identity and speed maps of complete settings, made once: equality and hashing read them often. */
    private SettingMap identity;
    private SettingMap speed;

    Settings(ParamSet set, Map<Param<?>, Object> given, Map<Param<?>, Object> values,
             Map<Param<?>, Boolean> applies, boolean complete) {
        this.set = set;
        this.given = Collections.unmodifiableMap(new LinkedHashMap<>(given));
        this.values = values;
        this.applies = applies;
        this.complete = complete;
    }

    public ParamSet set() {
        return set;
    }

    /** The value of {@code p}: given, or its default. */
    @SuppressWarnings("unchecked")
    public <T> T get(Param<T> p) {
        if (!set.contains(p)) {
            throw new IllegalArgumentException(p.name() + " is not a setting of " + set.kind());
        }
        if (!values.containsKey(p)) {
            throw new IllegalStateException(p.name() + " read before it was resolved");
        }
        T v = (T) values.get(p);
        return v instanceof double[] d ? (T) d.clone() : v;
    }

    /** Whether {@code p} has been resolved yet; defaults and applicability may read only those. */
    public boolean has(Param<?> p) {
        return values.containsKey(p);
    }

    /** Whether {@code p} means something under the other settings. */
    public boolean applies(Param<?> p) {
        return Boolean.TRUE.equals(applies.get(p));
    }

    /** A copy with {@code p} set to {@code v}, resolved and checked again. */
    public <T> Settings with(Param<T> p, T v) {
        Map<Param<?>, Object> g = new LinkedHashMap<>(given);
        g.put(p, v);
        return set.resolve(g);
    }

    /** A copy with the setting named {@code name} set from a string or number, as a sweep file gives it. */
    public Settings with(String name, Object raw) {
        Param<?> p = set.byName(name);
        Map<Param<?>, Object> g = new LinkedHashMap<>(given);
        g.put(p, p.parse(raw));
        return set.resolve(g);
    }

    /** The identity settings that apply, by name, sorted: what determines a result, recorded with it. */
    public SettingMap identity() {
        if (!complete) {
            return select(Param.Role.IDENTITY);
        }
        if (identity == null) {
            identity = select(Param.Role.IDENTITY);
        }
        return identity;
    }

    /**
     * What model ids and run keys are hashed from: {@link #identity()} less the settings at the value they leave
     * out of keys ({@link Param#keyOmits()}: settings added later, at what earlier results were computed with).
     */
    public SettingMap key() {
        SettingMap m = identity();
        for (Param<?> p : set.params()) {
            if (p.keyOmits() != null && applies(p) && p.keyOmits().equals(values.get(p))) {
                m = m.without(p.name());
            }
        }
        return m;
    }

    /** The speed settings that apply, by name, sorted: recorded with a result, never part of its id. */
    public SettingMap speed() {
        if (!complete) {
            return select(Param.Role.SPEED);
        }
        if (speed == null) {
            speed = select(Param.Role.SPEED);
        }
        return speed;
    }

    @SuppressWarnings("unchecked")
    private SettingMap select(Param.Role role) {
        TreeMap<String, Object> m = new TreeMap<>();
        for (Param<?> p : set.params()) {
            if (p.role() == role && applies(p)) {
                m.put(p.name(), ((Param<Object>) p).json(values.get(p)));
            }
        }
        return new SettingMap(m);
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        return o instanceof Settings s && s.set == set && s.identity().equals(identity())
                && s.speed().equals(speed());
    }

    @Override
    public int hashCode() {
        if (!complete) {
            return Objects.hash(set.kind(), identity(), speed());
        }
        if (hash == null) {
            hash = Objects.hash(set.kind(), identity(), speed());
        }
        return hash;
    }

    private Integer hash;

    @Override
    public String toString() {
        return set.kind() + identity() + speed();
    }
}
