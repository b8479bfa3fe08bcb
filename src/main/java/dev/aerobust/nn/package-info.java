/**
 * The engine: a small facade over libtorch (JavaCPP) with the lifetime of native memory made explicit
 * ({@link dev.aerobust.nn.Scope}), layers, optimisers, autograd helpers, precisions (fp32, bf16) and the native
 * library cache. Uses {@code util} only.
 */
package dev.aerobust.nn;
