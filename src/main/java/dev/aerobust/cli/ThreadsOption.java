package dev.aerobust.cli;

import picocli.CommandLine.Option;

import dev.aerobust.nn.Engine;

/** The shared {@code --threads} option: the engine's intra-op threads, a speed setting never part of an id. */
final class ThreadsOption {

    @Option(names = "--threads", paramLabel = "N", description = "Engine threads (default: $AEROBUST_THREADS, else all cores).")
    Integer threads;

    /** The engine threads this command may use in all. */
    int total() {
        return threads != null ? threads : Engine.defaultThreads();
    }

    void apply() {
        if (threads != null) {
            Engine.setThreads(threads);
        }
    }
}
