package dev.aerobust.train;

import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.data.ImageSet;
import dev.aerobust.eval.Accuracy;
import dev.aerobust.model.Classifier;
import dev.aerobust.nn.Precision;

/**
 * Cross-entropy on clean images; validated by accuracy. The classifier sees no noise. The forward pass runs in the
 * training's precision, the logits return to fp32 for the loss, and the backward pass follows the forward's types.
 */
public final class ClassifierObjective implements Trainer.Objective {

    private final Classifier model;
    private final Precision precision;

    public ClassifierObjective(Classifier model, Precision precision) {
        this.model = model;
        this.precision = precision;
    }

    /** In fp32. */
    public ClassifierObjective(Classifier model) {
        this(model, Precision.FP32);
    }

    @Override
    public Map<String, Double> step(Tensor x, Tensor y, double epochs) {
        Tensor logits = precision.apply(model::forward, x);
        Tensor loss = torch.cross_entropy(logits, y);
        loss.backward();
        return Map.of("ce", loss.item_double());
    }

    @Override
    public double validate(ImageSet val) {
        return Accuracy.of(model::forward, val, 500);
    }

    @Override
    public String metricName() {
        return "accuracy";
    }

    @Override
    public boolean higherIsBetter() {
        return true;
    }
}
