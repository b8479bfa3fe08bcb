/**
 * The defense under attack: an autoencoder stacked under a classifier, deterministic (z = mu) or sampled
 * (z = mu + s sigma e), and its deterministic surrogate and BPDA form for attacks. Uses {@code model}, {@code nn}
 * and {@code util}; not {@code attack} (its peer).
 */
package dev.aerobust.defense;
