package dev.aerobust.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.sweep.Results;
import dev.aerobust.sweep.Sweep;
import dev.aerobust.sweep.SweepRunner;

/** The report of a sweep: its results, its models' metadata and its runs' sanity warnings, drawn. */
public final class SweepReport {

    private SweepReport() {
    }

    /** The interval {@code [end - seconds, end]} in epoch seconds, for an ISO-8601 end time. */
    private static Optional<double[]> interval(String end, double seconds) {
        if (!(seconds > 0)) {
            return Optional.empty();
        }
        try {
            java.time.Instant t = java.time.Instant.parse(end);
            double e = t.getEpochSecond() + t.getNano() / 1e9;
            return Optional.of(new double[] {e - seconds, e});
        } catch (java.time.format.DateTimeParseException ex) {
            return Optional.empty();
        }
    }

    /** The length of the union of {@code [start, end]} intervals, and the sum of their lengths. */
    static double[] busy(List<double[]> intervals) {
        List<double[]> sorted = new ArrayList<>(intervals);
        sorted.sort(java.util.Comparator.comparingDouble(a -> a[0]));
        double union = 0;
        double sum = 0;
        double start = Double.NaN;
        double end = Double.NaN;
        for (double[] iv : sorted) {
            sum += iv[1] - iv[0];
            if (Double.isNaN(end) || iv[0] > end) {
                union += Double.isNaN(end) ? 0 : end - start;
                start = iv[0];
                end = iv[1];
            } else {
                end = Math.max(end, iv[1]);
            }
        }
        union += Double.isNaN(end) ? 0 : end - start;
        return new double[] {union, sum};
    }

    /** Writes the report of every finished unit of {@code sweep} into {@code dir}; returns the page. */
    public static Path write(Sweep sweep, SweepRunner runner, ModelStore store, Path dir, List<String> notes,
                             double fig5Eps) throws IOException {
        List<Results.Row> rows = Results.of(sweep, runner);
        Map<String, ModelMeta> models = new LinkedHashMap<>();
        List<Sweep.TrainUnit> units = new ArrayList<>(sweep.classifiers());
        units.addAll(sweep.autoencoders());
        List<double[]> ran = new ArrayList<>();
        for (Sweep.TrainUnit u : units) {
            Optional<String> id = runner.storedId(u);
            id.ifPresent(x -> {
                ModelMeta m = store.meta(x);
                if (m.provenance() != null && m.training() != null) {
                    interval(m.provenance().created(), m.training().seconds()).ifPresent(ran::add);
                }
                models.put(store.dir(x).resolve(ModelStore.META).toString(), m);
            });
        }
        Map<String, List<String>> warnings = new LinkedHashMap<>();
        int unitsDone = 0;
        for (Sweep.AttackUnit u : sweep.attacks()) {
            java.util.Optional<List<dev.aerobust.store.AttackRecord>> recs = runner.records(u);
            if (recs.isEmpty()) {
                continue;
            }
            unitsDone += recs.get().stream().allMatch(java.util.Objects::nonNull) ? 1 : 0;
            // a call ended by the newest of its records
            for (List<dev.aerobust.store.AttackRecord> call : dev.aerobust.store.AttackRecord.byCall(recs.get())) {
                call.stream().filter(r -> r.provenance() != null).map(r -> r.provenance().created())
                        .max(String::compareTo).flatMap(end -> interval(end, call.get(0).attackSeconds()))
                        .ifPresent(ran::add);
            }
            for (Sweep.ModelUnit m : List.of(u.model(), u.classifier())) {
                if (m instanceof Sweep.ImportedModel i) {
                    models.putIfAbsent(store.dir(i.id()).resolve(ModelStore.META).toString(), store.meta(i.id()));
                }
            }
            runner.run(u).sanity().filter(s -> s.warnings() != null && !s.warnings().isEmpty())
                    .ifPresent(s -> warnings.put(u.label(), s.warnings()));
        }
        List<String> allNotes = new ArrayList<>(notes);
        int attackUnits = sweep.attacks().size();
        allNotes.add(unitsDone + " of the sweep's " + attackUnits + " attack units done (" + rows.stream()
                .filter(r -> r.record() != null).count() + " attack records), " + models.size() + " models"
                + (unitsDone < attackUnits ? "; the sweep is not finished: what follows shows the units done so far"
                        : "")
                + ". The study's [-1, 1] units are kept as labels: stp 0.4 is a noise std of 0.2 on [0, 1] pixels;"
                + " eps is in [0, 1] pixels.");
        if (!runner.badRecords().isEmpty()) {
            allNotes.add(runner.badRecords().size() + " stored record(s) failed their checks and are left out (their"
                    + " units count as not done): " + String.join("; ", runner.badRecords().entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue()).toList()) + ".");
        }
        double[] busy = busy(ran);
        allNotes.add(String.format("Compute so far: the stored units ran for %s of wall-clock time (the union of"
                + " their training and attack intervals, over every sitting; data loading, evaluation and sanity runs"
                + " left out), %s of unit time (their sum; units side by side overlap).",
                dev.aerobust.util.Progress.seconds(busy[0]), dev.aerobust.util.Progress.seconds(busy[1])));
        return StudyReport.write(new StudyReport.Input("aerobust: " + sweep.name(), rows, models, warnings,
                allNotes, fig5Eps, Results.blackBoxChecks(sweep, runner)), dir);
    }
}
