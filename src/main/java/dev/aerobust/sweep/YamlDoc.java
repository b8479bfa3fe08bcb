package dev.aerobust.sweep;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * A YAML document read into a tree, with the line of every key, so an error can name the file, the line and
 * the key ("sweeps/fig1.yaml:12: unknown autoencoder setting 'sttp'").
 */
final class YamlDoc {

    private static final YAMLMapper YAML = new YAMLMapper();

    private final String where;
    private final JsonNode root;
    private final Map<String, Integer> lines;

    private YamlDoc(String where, JsonNode root, Map<String, Integer> lines) {
        this.where = where;
        this.root = root;
        this.lines = lines;
    }

    /**
     * Parses {@code text}; a syntax error, a key given twice in one map and an alias are usage errors naming
     * {@code where} and the line.
     */
    static YamlDoc parse(String text, String where) {
        try {
            Map<String, Integer> lines = lines(text, where);
            JsonNode root = YAML.readTree(text);
            return new YamlDoc(where, root == null ? YAML.createObjectNode() : root, lines);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            int line = e instanceof com.fasterxml.jackson.core.JsonProcessingException p && p.getLocation() != null
                    ? p.getLocation().getLineNr() : -1;
            throw new AerobustException(ExitCode.USAGE, where + (line > 0 ? ":" + line : "") + ": not valid YAML: "
                    + msg);
        }
    }

    /**
     * The line of each key, by its JSON pointer ({@code /autoencoders/0/stp}); a key given twice in one map (the
     * last would win, silently) and an alias are usage errors naming the line.
     */
    private static Map<String, Integer> lines(String text, String where) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        // the path to the current token: a key (String), an array's position (int[] of one: its current index), or
        // an object inside an array
        Deque<Object> path = new ArrayDeque<>();
        try (JsonParser p = new YAMLFactory().createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (p instanceof com.fasterxml.jackson.dataformat.yaml.YAMLParser y && y.isCurrentAlias()) {
                    throw new AerobustException(ExitCode.USAGE, where + ":" + p.currentLocation().getLineNr()
                            + ": YAML aliases (*name) are not supported in a sweep file: write the values out");
                }
                switch (t) {
                    case FIELD_NAME -> {
                        path.push(p.currentName());
                        Integer first = out.put(pointer(path), p.currentLocation().getLineNr());
                        if (first != null) {
                            throw new AerobustException(ExitCode.USAGE, where + ":" + p.currentLocation().getLineNr()
                                    + ": key '" + p.currentName() + "' given twice in one map (first at line " + first
                                    + ")");
                        }
                        continue;
                    }
                    case START_ARRAY -> {
                        next(path);
                        path.push(new int[] {-1});
                        continue;
                    }
                    case END_ARRAY -> path.pop();
                    case START_OBJECT -> {
                        next(path);
                        path.push(Boolean.TRUE);
                        continue;
                    }
                    case END_OBJECT -> path.pop();
                    default -> next(path);
                }
                // a value ends its field
                if (!path.isEmpty() && path.peek() instanceof String) {
                    path.pop();
                }
            }
        }
        return out;
    }

    /** A value starting inside an array takes the array's next index. */
    private static void next(Deque<Object> path) {
        if (!path.isEmpty() && path.peek() instanceof int[] i) {
            i[0]++;
        }
    }

    private static String pointer(Deque<Object> path) {
        StringBuilder b = new StringBuilder();
        Object[] parts = path.toArray();
        for (int i = parts.length - 1; i >= 0; i--) {
            Object o = parts[i];
            if (o instanceof String s) {
                b.append('/').append(s);
            } else if (o instanceof int[] d) {
                b.append('/').append(d[0]);
            }
        }
        return b.toString();
    }

    JsonNode root() {
        return root;
    }

    /** {@code where}, with the line of {@code pointer} when known: a prefix for error messages. */
    String at(String pointer) {
        Integer line = lines.get(pointer);
        return where + (line != null ? ":" + line : "");
    }

    String where() {
        return where;
    }
}
