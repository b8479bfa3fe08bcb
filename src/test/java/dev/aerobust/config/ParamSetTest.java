package dev.aerobust.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.aerobust.attack.AttackConfig;
import dev.aerobust.attack.AttackKind;
import dev.aerobust.data.DatasetId;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.model.Family;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;
import dev.aerobust.train.TrainParams;
import dev.aerobust.train.TrainedModels;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

class ParamSetTest {

    @Test
    void defaultsFollowTheSettingsTheyDependOn() {
        assertEquals(100, ClassifierConfig.defaults(DatasetId.MNIST).get(TrainParams.BATCH));
        assertEquals(32, ClassifierConfig.defaults(DatasetId.BTSC).get(TrainParams.BATCH));
        assertEquals(12, ClassifierConfig.defaults(DatasetId.MNIST).get(TrainParams.PATIENCE));
        assertEquals(8, ClassifierConfig.defaults(DatasetId.BTSC).get(TrainParams.PATIENCE));
        assertEquals(128, AutoencoderConfig.defaults(DatasetId.BTSC, Family.VAE).get(TrainParams.BATCH));
        Settings s = ClassifierConfig.defaults(DatasetId.MNIST).with(Common.DATASET, DatasetId.BTSC);
        assertEquals(32, s.get(TrainParams.BATCH), "a changed dataset re-derives the defaults that depend on it");
        assertEquals(77, ClassifierConfig.defaults(DatasetId.MNIST).with(TrainParams.BATCH, 77)
                .with(Common.DATASET, DatasetId.BTSC).get(TrainParams.BATCH), "a given value stays");
        assertArrayEquals(new double[] {0.005, 0.01, 0.015, 0.02, 0.025, 0.03},
                EvalConfig.PARAMS.defaults(Common.DATASET, DatasetId.BTSC).get(EvalConfig.EPS));
    }

    @Test
    void identityHoldsWhatAppliesAndSpeedTheRest() {
        Settings dae = AutoencoderConfig.defaults(DatasetId.MNIST, Family.DAE);
        assertFalse(dae.identity().has("alpha"), "a DAE has no contractive weight");
        assertFalse(dae.identity().has("samples"));
        assertEquals("dae", dae.identity().get("family"));
        assertEquals("mnist", dae.identity().get("dataset"));
        assertEquals(SettingMap.EMPTY, dae.speed());
        assertTrue(dae.get(AutoencoderConfig.DENOISING), "the family fixes denoising");
        Settings cw = AttackConfig.of(AttackKind.CW_LINF);
        assertEquals(List.of("attack", "gamma", "gradient", "kappa", "lr", "precision", "steps"),
                List.copyOf(cw.identity().values().keySet()));
        assertFalse(AttackConfig.create(cw, false).key().has("gradient"),
                "the full gradient, which every earlier record used, stays out of the run key");
        assertFalse(AttackConfig.create(cw, false).key().has("precision"),
                "fp32, which every earlier record used, stays out of the run key");
        assertEquals("bf16", AttackConfig.create(cw.with(AttackConfig.PRECISION, dev.aerobust.nn.Precision.BF16),
                false).key().get("precision"), "bf16 records are apart from fp32's");
        assertEquals(SettingMap.of(Map.of("batch_rows", 2000)), cw.speed());
        // an attack that averages draws passes rows x draws images: its chunks shrink with the draws
        assertEquals(500, AttackConfig.of(AttackKind.EOT_PGD).get(AttackConfig.BATCH_ROWS));
        assertEquals(250, AttackConfig.of(AttackKind.EOT_PGD, AttackConfig.EOT_DRAWS, 20).get(AttackConfig.BATCH_ROWS));
        assertEquals(2000, AttackConfig.of(AttackKind.APGD_CE).get(AttackConfig.BATCH_ROWS));
        assertEquals(250, AttackConfig.of(AttackKind.AUTOATTACK, AttackConfig.VERSION, dev.aerobust.attack.AutoAttack
                .Version.RAND).get(AttackConfig.BATCH_ROWS));
        assertEquals(2000, AttackConfig.of(AttackKind.AUTOATTACK).get(AttackConfig.BATCH_ROWS));
        assertEquals(700, AttackConfig.of(AttackKind.EOT_PGD, AttackConfig.BATCH_ROWS, 700).get(AttackConfig
                .BATCH_ROWS), "a given batch stands");

        // a contractive model trained with the fp32 penalty keeps the id it had before the setting existed
        Settings cae = AutoencoderConfig.defaults(DatasetId.MNIST, Family.CAE);
        assertEquals("fp32", cae.identity().get("jacobian_precision"), "recorded with the model");
        SettingMap before = cae.identity().without("jacobian_precision");
        assertEquals(before, cae.key(), "fp32 stays out of the id");
        String id = TrainedModels.id(cae, "sum");
        assertEquals(id, TrainedModels.id(
                cae.with(AutoencoderConfig.JACOBIAN_PRECISION, dev.aerobust.nn.Precision.FP32), "sum"));
        assertNotEquals(id, TrainedModels.id(
                cae.with(AutoencoderConfig.JACOBIAN_PRECISION, dev.aerobust.nn.Precision.BF16), "sum"),
                "a bf16 penalty is another model");
    }

    @Test
    void aSettingThatDoesNotApplyIsAUsageErrorNamingIt() {
        AerobustException e = assertThrows(AerobustException.class,
                () -> AttackConfig.of(AttackKind.CW_LINF, AttackConfig.RESTARTS, 3));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertEquals("--restarts does not apply here: it is for pgd, eot-pgd, apgd-ce, apgd-dlr,"
                + " apgd-t and square (attack cw-linf)", e.getMessage());
    }

    @Test
    void sweepFileKeysAreCheckedByName() {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("dataset", "fashion-mnist");
        raw.put("family", "dvae");
        raw.put("stp", 0.1);
        raw.put("epochs", "3");
        Settings s = AutoencoderConfig.PARAMS.fromMap(raw, "sweeps/x.yaml", false);
        assertEquals(0.1, s.get(AutoencoderConfig.STP));
        assertEquals(3, s.get(TrainParams.EPOCHS));
        assertEquals(Family.DVAE, s.get(AutoencoderConfig.FAMILY));
        raw.put("sttp", 0.2);
        AerobustException unknown = assertThrows(AerobustException.class,
                () -> AutoencoderConfig.PARAMS.fromMap(raw, "sweeps/x.yaml", false));
        assertTrue(unknown.getMessage().startsWith("sweeps/x.yaml: unknown autoencoder setting 'sttp' (known: "),
                unknown.getMessage());
        raw.remove("sttp");
        raw.put("epochs", -1);
        assertEquals("sweeps/x.yaml: --epochs must be a positive integer, got '-1'", assertThrows(
                AerobustException.class, () -> AutoencoderConfig.PARAMS.fromMap(raw, "sweeps/x.yaml", false))
                .getMessage());
    }

    @Test
    void anEarlierVersionsConfigurationReadsWithItsOwnKeysAndMeaning() {
        Map<String, Object> old = new LinkedHashMap<>();
        old.put("dataset", "MNIST");
        old.put("batch", 100);
        old.put("lr", 1e-4);
        old.put("weightDecay", 1e-3);
        old.put("clipNorm", 0.0);
        old.put("maxEpochs", 80);
        old.put("patience", 8);
        old.put("valSize", 5000);
        old.put("seed", 0);
        Settings s = ClassifierConfig.PARAMS.fromMap(old, "old", true);
        assertEquals(80, s.get(TrainParams.EPOCHS));
        assertTrue(s.get(TrainParams.DECAY_NORM), "before the switch existed the decay reached batch norm too");
        assertEquals(1.0, s.get(TrainParams.LR_FACTOR), "before the schedule existed the rate was constant");
        assertEquals(0, s.get(TrainParams.LR_PATIENCE));
    }

    @Test
    void helpTextsSummariseDefaultsOverEveryContext() {
        assertEquals("100 (btsc: 32)", ClassifierConfig.PARAMS.defaultText(TrainParams.BATCH));
        assertEquals("12 (btsc: 8)", ClassifierConfig.PARAMS.defaultText(TrainParams.PATIENCE));
        assertEquals("0.1", AutoencoderConfig.PARAMS.defaultText(AutoencoderConfig.ALPHA));
        assertEquals("100 (deepfool: 50; square: 5000)", AttackConfig.PARAMS.defaultText(AttackConfig.STEPS));
        assertEquals("0.0001", ClassifierConfig.PARAMS.defaultText(TrainParams.LR));
    }

    @Test
    void aRenamedSettingIsStillReadByItsFormerName() {
        // the sampled defense's draws were called 'samples', the name the VAEs' ELBO samples also have
        assertEquals(EvalConfig.DRAWS, EvalConfig.PARAMS.byName("samples"));
        Settings old = EvalConfig.PARAMS.fromMap(Map.of("defense", "sampled", "samples", 3), "a sweep file", false);
        Settings now = EvalConfig.PARAMS.fromMap(Map.of("defense", "sampled", "draws", 3), "a sweep file", false);
        assertEquals(3, old.get(EvalConfig.DRAWS));
        assertEquals(now, old);
        assertEquals("--samples", EvalConfig.DRAWS.formerFlag());
        assertEquals(AutoencoderConfig.SAMPLES, AutoencoderConfig.PARAMS.byName("samples"),
                "an autoencoder's 'samples' are its ELBO samples");
        assertThrows(dev.aerobust.util.AerobustException.class, () -> AutoencoderConfig.PARAMS.byName("draws"));
    }
}
