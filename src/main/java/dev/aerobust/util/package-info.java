/**
 * The smallest shared pieces: exit codes and the exception that carries one, atomic writes, file locks, hashing,
 * progress lines, child processes that die with the JVM. Uses no other package of aerobust.
 */
package dev.aerobust.util;
