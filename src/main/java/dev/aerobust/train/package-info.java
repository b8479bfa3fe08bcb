/**
 * Training: the objectives of every family (reconstruction, ELBO with warm-up, the contractive penalty by double
 * back-propagation), the trainer with its checkpoints and early stopping, the training settings, and model ids
 * ({@link dev.aerobust.train.TrainedModels}). Uses {@code eval}, {@code store} and the layers below them.
 */
package dev.aerobust.train;
