package dev.aerobust.train;

import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.data.ImageSet;
import dev.aerobust.eval.Accuracy;
import dev.aerobust.model.Classifier;

/** Cross-entropy on clean images; validated by accuracy. The classifier sees no noise. */
public final class ClassifierObjective implements Trainer.Objective {

    private final Classifier model;

    public ClassifierObjective(Classifier model) {
        this.model = model;
    }

    @Override
    public Map<String, Double> step(Tensor x, Tensor y, double epochs) {
        Tensor logits = model.forward(x);
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
