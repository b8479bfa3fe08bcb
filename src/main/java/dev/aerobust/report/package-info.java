/**
 * The study's report from stored results: Figures 1 to 5 (JFreeChart), the findings under the study's attack and
 * under the worst case ({@link dev.aerobust.report.Findings}), {@code summary.md} and the HTML report. Uses
 * {@code sweep} and the layers below it; not {@code bench} (its peer).
 */
package dev.aerobust.report;
