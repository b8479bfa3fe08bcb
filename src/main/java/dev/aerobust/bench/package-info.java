/**
 * {@code aerobust bench}: the workloads of benchmark.md timed on this machine, beside the PyTorch reference when
 * asked. Uses {@code sweep} and the layers below it; not {@code report} (its peer).
 */
package dev.aerobust.bench;
