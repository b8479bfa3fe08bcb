/**
 * Everything kept on disk, and the only package that knows how it is laid out: the model store (weights with
 * their checksums, typed metadata {@link dev.aerobust.store.ModelMeta} carrying the architecture, the loaders
 * {@link dev.aerobust.store.StoredModels}), the results store (attack records, sanity reports, partial chunks,
 * locks, quarantined and stale records: {@link dev.aerobust.store.ResultsStore}), and the checks a record must
 * pass before it is trusted. Names read from files never become paths unchecked
 * ({@link dev.aerobust.store.StorePaths}). Uses the layers below it, never {@code train} or above.
 */
package dev.aerobust.store;
