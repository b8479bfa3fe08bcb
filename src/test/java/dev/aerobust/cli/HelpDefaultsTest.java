package dev.aerobust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.aerobust.attack.AttackConfig;
import dev.aerobust.config.Param;
import dev.aerobust.config.ParamSet;
import dev.aerobust.config.Settings;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;

/**
 * The default each {@code --help} shows is the one the configuration resolves to, under every context (dataset,
 * family, attack, defense): the help text is read back from picocli's rendering and checked against
 * {@link Settings#get} for each combination.
 */
class HelpDefaultsTest {

    private static final Pattern DEFAULT = Pattern.compile("Default: (.*?)\\.(?: For | Speed|$)");

    /** The help of each option, with picocli's line wrapping undone. */
    static Map<String, String> options(String help) {
        Map<String, String> out = new HashMap<>();
        String current = null;
        StringBuilder text = new StringBuilder();
        for (String line : help.lines().toList()) {
            Matcher m = Pattern.compile("^\\s+(?:-\\w, )?(--\\[no-\\]|--)([a-z-]+)(?:, --[a-z-]+)?(?:=\\S+)?(?:\\s+(.*))?$").matcher(line);
            if (m.matches() && line.startsWith("  ") && !line.startsWith("                       ")) {
                if (current != null) {
                    out.put(current, text.toString().trim());
                }
                current = "--" + m.group(2);
                text = new StringBuilder(m.group(3) == null ? "" : m.group(3));
            } else if (current != null) {
                text.append(' ').append(line.trim());
            }
        }
        if (current != null) {
            out.put(current, text.toString().trim());
        }
        return out;
    }

    /** "V (a, b: W; c: X)" as the value for each named context value, and V for the rest. */
    static String expected(String stated, List<String> ctxNames) {
        int paren = stated.indexOf(" (");
        if (paren < 0) {
            return stated;
        }
        String common = stated.substring(0, paren);
        String inner = stated.substring(paren + 2, stated.length() - 1);
        for (String group : inner.split("; ")) {
            int colon = group.lastIndexOf(": ");
            for (String name : group.substring(0, colon).split(", ")) {
                if (ctxNames.contains(name)) {
                    return group.substring(colon + 2);
                }
            }
        }
        return common;
    }

    private static void check(String[] command, ParamSet... sets) {
        CliTest.Run r = CliTest.run(command);
        assertEquals(0, r.code(), r.err());
        Map<String, String> help = options(r.out());
        int checked = 0;
        for (ParamSet set : sets) {
            for (Param<?> p : set.settable()) {
                if (!set.option(p)) {
                    continue;
                }
                String text = help.get(p.flag());
                assertTrue(text != null, p.flag() + " is missing from " + String.join(" ", command));
                Matcher m = DEFAULT.matcher(text);
                assertTrue(m.find(), p.flag() + " shows no default: " + text);
                String stated = m.group(1);
                for (Map<Param<?>, Object> ctx : set.combinations()) {
                    Settings s;
                    try {
                        s = set.resolve(ctx);
                    } catch (RuntimeException e) {
                        continue;
                    }
                    List<String> names = ctx.values().stream().map(Param::spell).toList();
                    if (ctx.containsKey(p)) {
                        // a context setting states its own default
                        assertEquals(p.display(set.resolve(Map.of()).get(p)), stated, p.flag());
                    } else if (s.applies(p)) {
                        assertEquals(p.display(s.get(p)), expected(stated, names), p.flag() + " under " + names);
                    } else {
                        continue;
                    }
                    checked++;
                }
            }
        }
        assertTrue(checked > 20, "checked " + checked + " defaults");
    }

    @Test
    void trainClassifierHelpShowsTheConfigDefaults() {
        check(new String[] {"train", "classifier", "--help"}, ClassifierConfig.PARAMS);
    }

    @Test
    void trainAutoencoderHelpShowsTheConfigDefaults() {
        check(new String[] {"train", "autoencoder", "--help"}, AutoencoderConfig.PARAMS);
    }

    @Test
    void attackHelpShowsTheConfigDefaults() {
        check(new String[] {"attack", "--help"}, AttackConfig.PARAMS, EvalConfig.PARAMS);
    }

    @Test
    void theParserOfThisTestReadsWhatItShouldAndFailsOnADifference() {
        assertEquals("32", expected("100 (btsc: 32)", List.of("btsc")));
        assertEquals("100", expected("100 (btsc: 32)", List.of("mnist")));
        assertEquals("0.01", expected("0.05 (cw-l2: 0.01)", List.of("cw-l2")));
        assertEquals("Images per batch. Default: 100 (btsc: 32).",
                options("      --batch=N     Images per batch. Default: 100\n                      (btsc: 32).\n")
                        .get("--batch"));
    }
}
