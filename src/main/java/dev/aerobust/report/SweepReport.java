package dev.aerobust.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aerobust.eval.SanityReport;
import dev.aerobust.experiment.ModelStore;
import dev.aerobust.experiment.Results;
import dev.aerobust.experiment.Sweep;
import dev.aerobust.experiment.SweepRunner;

/** The report of a sweep: its results, its models' metadata and its runs' sanity warnings, drawn. */
public final class SweepReport {

    private SweepReport() {
    }

    /** Writes the report of every finished unit of {@code sweep} into {@code dir}; returns the page. */
    public static Path write(Sweep sweep, SweepRunner runner, ModelStore store, Path dir, List<String> notes,
                             double fig5Eps) throws IOException {
        List<Results.Row> rows = Results.of(sweep, runner);
        Map<String, JsonNode> models = new LinkedHashMap<>();
        List<Sweep.TrainUnit> units = new ArrayList<>(sweep.classifiers());
        units.addAll(sweep.autoencoders());
        for (Sweep.TrainUnit u : units) {
            Optional<String> id = runner.storedId(u);
            id.ifPresent(x -> models.put(store.dir(x).resolve(ModelStore.META).toString(), store.meta(x)));
        }
        Map<String, List<String>> warnings = new LinkedHashMap<>();
        int unitsDone = 0;
        for (Sweep.AttackUnit u : sweep.attacks()) {
            java.util.Optional<List<dev.aerobust.eval.AttackRecord>> recs = runner.records(u);
            if (recs.isEmpty()) {
                continue;
            }
            unitsDone += recs.get().stream().allMatch(java.util.Objects::nonNull) ? 1 : 0;
            for (Sweep.ModelUnit m : List.of(u.model(), u.classifier())) {
                if (m instanceof Sweep.ImportedModel i) {
                    models.putIfAbsent(store.dir(i.id()).resolve(ModelStore.META).toString(), store.meta(i.id()));
                }
            }
            Path f = runner.dir(u).resolve("sanity.json");
            if (Files.isRegularFile(f)) {
                SanityReport s = ModelStore.JSON.readValue(f.toFile(), SanityReport.class);
                if (s.warnings() != null && !s.warnings().isEmpty()) {
                    warnings.put(u.label(), s.warnings());
                }
            }
        }
        List<String> allNotes = new ArrayList<>(notes);
        int attackUnits = sweep.attacks().size();
        allNotes.add(unitsDone + " of the sweep's " + attackUnits + " attack units done (" + rows.stream()
                .filter(r -> r.record() != null).count() + " attack records), " + models.size() + " models"
                + (unitsDone < attackUnits ? "; the sweep is not finished: what follows shows the units done so far"
                        : "")
                + ". The study's [-1, 1] units are kept as labels: stp 0.4 is a noise std of 0.2 on [0, 1] pixels;"
                + " eps is in [0, 1] pixels.");
        return StudyReport.write(new StudyReport.Input("aerobust: " + sweep.name(), rows, models, warnings,
                allNotes, fig5Eps), dir);
    }
}
