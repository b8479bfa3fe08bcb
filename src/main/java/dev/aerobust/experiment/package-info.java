/**
 * One unit of work, start to end: train a model and store it ({@link dev.aerobust.experiment.ModelTraining}),
 * import a TorchScript module ({@link dev.aerobust.experiment.ModelImport}), or attack a stack and store its
 * records ({@link dev.aerobust.experiment.AttackRun}). Uses {@code train} and every layer below it.
 */
package dev.aerobust.experiment;
