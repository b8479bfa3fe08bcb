/**
 * Settings as data: each hyper-parameter defined once ({@link dev.aerobust.config.Param}), grouped per kind of
 * run ({@link dev.aerobust.config.ParamSet}) and resolved into immutable values
 * ({@link dev.aerobust.config.Settings}) from which the CLI options, sweep-file keys, model ids, run keys,
 * provenance and help texts all come.
 */
package dev.aerobust.config;
