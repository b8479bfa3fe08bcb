/**
 * Evaluating a model: clean and robust accuracy, the per-image worst case over attacks, the sanity checks of an
 * attack run, latent statistics, and the evaluation settings ({@link dev.aerobust.eval.EvalConfig}). Uses
 * {@code store} and the layers below it.
 */
package dev.aerobust.eval;
