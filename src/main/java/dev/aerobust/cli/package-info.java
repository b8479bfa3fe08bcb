/**
 * The command line (picocli): every command, its options made from the settings' one definitions, and the
 * mapping of every error to its exit code and one line. The top layer: it may use every package.
 */
package dev.aerobust.cli;
