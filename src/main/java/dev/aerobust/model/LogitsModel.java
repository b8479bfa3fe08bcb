package dev.aerobust.model;

import org.bytedeco.pytorch.Tensor;

/**
 * A differentiable classifier: images in [0, 1], NCHW, to logits. The built-in {@link Classifier} and a user's
 * TorchScript model ({@link ScriptedClassifier}) both are one, so either can sit under a defense.
 */
public interface LogitsModel {

    Tensor logits(Tensor x);

    /** Eval mode (batch-norm statistics, no dropout) and frozen weights, as an attacked model is used. */
    void freeze();
}
