package dev.aerobust.config;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Setting values by name, sorted: how settings are written into files ({@code meta.json}, attack records, sweep
 * grids) and into ids and run keys. The values are as each setting writes itself ({@link Param#json}): numbers,
 * booleans, strings, lists. Read back into {@link Settings} through the settings' own definitions
 * ({@link ParamSet#fromMap}). Written as a plain JSON object; its text form is the map's, so hashes made from it
 * stay what they were.
 *
 * @param values the values by name (not to be changed)
 */
public record SettingMap(SortedMap<String, Object> values) {

    /** No settings. */
    public static final SettingMap EMPTY = new SettingMap(new TreeMap<>());

    /** The values of {@code m}, sorted. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static SettingMap of(Map<String, ?> m) {
        return new SettingMap(m == null ? new TreeMap<>() : new TreeMap<>(m));
    }

    @JsonValue
    @Override
    public SortedMap<String, Object> values() {
        return values;
    }

    /** The value of the setting named {@code name}, or null. */
    public Object get(String name) {
        return values.get(name);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** A copy with {@code name} set to {@code value}. */
    public SettingMap with(String name, Object value) {
        TreeMap<String, Object> m = new TreeMap<>(values);
        m.put(name, value);
        return new SettingMap(m);
    }

    /** A copy with every value of {@code other} set too. */
    public SettingMap with(SettingMap other) {
        TreeMap<String, Object> m = new TreeMap<>(values);
        m.putAll(other.values);
        return new SettingMap(m);
    }

    /** A copy without {@code name}. */
    public SettingMap without(String name) {
        TreeMap<String, Object> m = new TreeMap<>(values);
        m.remove(name);
        return new SettingMap(m);
    }

    /** The map's own text, {@code {name=value, ...}}: what earlier versions hashed where a key met a string. */
    @Override
    public String toString() {
        return values.toString();
    }
}
