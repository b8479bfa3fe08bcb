package dev.aerobust.model;

/** A model that takes images of a fixed shape. */
public interface ImageModel {

    /** {@code [C, H, W]}. */
    int[] inputShape();
}
