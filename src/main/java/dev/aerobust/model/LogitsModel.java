package dev.aerobust.model;

import org.bytedeco.pytorch.Tensor;

/**
 * A differentiable classifier: images in [0, 1], NCHW, to logits. The built-in {@link Classifier} and a user's
 * TorchScript model ({@link ScriptedClassifier}) both are one, so either can sit under a defense.
 */
public interface LogitsModel {

    Tensor logits(Tensor x);

    /**
     * The logits of {@code draws} passes over {@code x}, draw-major: those of {@code x} repeated {@code draws}
     * times along the batch, {@code [draws * n, classes]}, each row of a randomized model drawn on its own (an
     * EOT batch). A model may compute what the draws share once.
     */
    default Tensor logitsRepeated(Tensor x, int draws) {
        return logits(dev.aerobust.nn.Ops.repeatRows(x, draws));
    }

    /** Eval mode (batch-norm statistics, no dropout) and frozen weights, as an attacked model is used. */
    void freeze();
}
