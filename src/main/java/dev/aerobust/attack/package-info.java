/**
 * The attacks, each written from its paper: CW-L2 and CW-Linf (the study's), PGD and EOT-PGD, APGD-CE, APGD-DLR,
 * APGD-T, FAB-T, Square, AutoAttack, DeepFool; their settings ({@link dev.aerobust.attack.AttackConfig}), the
 * batching of rows with eps nesting and compaction ({@link dev.aerobust.attack.Rows}), and the invariants every
 * output is checked against ({@link dev.aerobust.attack.Invariants}). An attack sees a model as logits only.
 * Uses {@code config}, {@code model}, {@code nn} and {@code util}; not {@code defense} (its peer).
 */
package dev.aerobust.attack;
