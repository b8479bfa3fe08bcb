/**
 * The networks: the CNN classifier, the autoencoder families (AE, VAE, DAE, DVAE, CAE, CVAE) built from an
 * architecture spec, and imported TorchScript modules behind the same interfaces. Uses {@code data}, {@code nn} and
 * {@code util}; not {@code config} (its peer): a network is built from its spec, not from settings.
 */
package dev.aerobust.model;
