package dev.aerobust.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.model.Family;
import dev.aerobust.store.ModelStore;
import dev.aerobust.testing.Synthetic;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;
import dev.aerobust.train.TrainedModels;

/**
 * A setting set by its name (as a sweep file sets it) reaches the stored {@code meta.json} and the model id; a
 * speed setting reaches the record of how the model was made but not its id. Trained for real, on a small
 * synthetic BTSC tree.
 */
@Tag("slow")
class SettingsByNameTest {

    @TempDir
    Path tmp;

    @Test
    void aSettingSetByNameIsInMetaJsonAndTheIdAndASpeedSettingOnlyInMetaJson() throws Exception {
        Path data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 5, 2);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 2, 1);
        ModelStore store = new ModelStore(tmp.resolve("models"));

        Settings base = ClassifierConfig.defaults(DatasetId.BTSC).with("epochs", 1).with("batch", "8");
        Settings changed = base.with("weight_decay", "0.002");
        ModelTraining.Outcome o = ModelTraining.classifier(changed, data, store);
        JsonNode meta = ModelStore.JSON.readTree(store.dir(o.id()).resolve(ModelStore.META).toFile());
        assertEquals(0.002, meta.path("config").path("weight_decay").asDouble());
        assertEquals(ModelStore.SCHEMA, meta.path("schema").asInt());
        assertEquals(changed, TrainedModels.config(store.meta(o.id())));
        String checksum = meta.path("provenance").path("datasetChecksum").asText();
        assertEquals(TrainedModels.id(changed, checksum), o.id());
        assertNotEquals(TrainedModels.id(base, checksum), o.id(), "the changed setting is part of the id");

        Settings cae = AutoencoderConfig.defaults(DatasetId.BTSC, Family.CAE).with("epochs", 1).with("batch", 8)
                .with("jacobian_chunk", 4);
        ModelTraining.Outcome a = ModelTraining.autoencoder(cae, data, store, o.id());
        JsonNode aeMeta = ModelStore.JSON.readTree(store.dir(a.id()).resolve(ModelStore.META).toFile());
        assertEquals(4, aeMeta.path("speed").path("jacobian_chunk").asInt());
        assertFalse(aeMeta.path("config").has("jacobian_chunk"));
        assertEquals(0.1, aeMeta.path("config").path("alpha").asDouble());
        ModelTraining.Outcome again = ModelTraining.autoencoder(cae.with("jacobian_chunk", 8), data, store, o.id());
        assertTrue(again.reused(), "another Jacobian chunk is the same model");
        assertEquals(a.id(), again.id());
        ModelTraining.Outcome other = ModelTraining.autoencoder(cae.with("stp", 0.1), data, store, o.id());
        assertFalse(other.reused());
        assertNotEquals(a.id(), other.id());
    }
}
