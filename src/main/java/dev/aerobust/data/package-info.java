/**
 * The datasets (MNIST, Fashion-MNIST, BTSC): fetching from their packages, checking their checksums, reading IDX
 * and PPM files, preprocessing, and the data folder ({@link dev.aerobust.data.DataHome}). Uses {@code nn} and
 * {@code util}.
 */
package dev.aerobust.data;
