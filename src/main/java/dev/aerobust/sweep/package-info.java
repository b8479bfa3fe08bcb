/**
 * Sweeps: the YAML sweep file and its checks ({@link dev.aerobust.sweep.Sweep}, {@link dev.aerobust.sweep.YamlDoc}),
 * the one scheduler of what may start now ({@link dev.aerobust.sweep.Scheduler}) behind the local runner,
 * {@code --jobs} and the Spark stages, the time estimates ({@link dev.aerobust.sweep.Estimator}), and the typed
 * results table ({@link dev.aerobust.sweep.Results}). Uses {@code experiment} and every layer below it.
 */
package dev.aerobust.sweep;
