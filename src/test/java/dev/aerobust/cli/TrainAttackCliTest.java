package dev.aerobust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input to the training and attack commands: one line, a usage exit code, nothing trained or loaded. The
 * data folder given is empty: each error comes before any data is read.
 */
@Tag("slow")
class TrainAttackCliTest {

    @TempDir
    Path tmp;

    @Test
    void unknownFamilyIsAUsageError() {
        CliTest.Run r = CliTest.run("train", "autoencoder", "--dataset", "mnist", "--family", "gan");
        assertEquals(2, r.code());
        assertEquals("aerobust: unknown --family 'gan' (known: ae, dae, vae, dvae, cae, cvae)", r.err().strip());
    }

    @Test
    void negativeNoiseIsAUsageError() {
        CliTest.Run r = CliTest.run("train", "autoencoder", "--dataset", "mnist", "--family", "vae", "--stp", "-0.1");
        assertEquals(2, r.code());
        assertEquals("aerobust: --stp must be a number >= 0, got '-0.1'", r.err().strip());
    }

    @Test
    void aContractiveFamilyNeedsAPenalty() {
        CliTest.Run r = CliTest.run("train", "autoencoder", "--dataset", "mnist", "--family", "cae", "--alpha", "0");
        assertEquals(2, r.code());
        assertEquals("aerobust: cae needs --alpha > 0 (or --beta > 0): it is the contractive family",
                r.err().strip());
    }

    /** Each family kind: a setting it does not have is an error naming the flag and where it applies. */
    @ParameterizedTest(name = "{0} --{1}")
    @CsvSource({
        "ae, alpha, 0.1, cae and cvae",
        "dae, denoising, , cae and cvae",
        "vae, beta, 0.1, cvae",
        "dvae, alpha, 0.2, cae and cvae",
        "cae, samples, 3, 'vae, dvae and cvae'",
        "cae, beta, 0.1, cvae",
        "ae, warmup-epochs, 2, 'vae, dvae and cvae'",
        "dae, variance-floor, 0.02, 'vae, dvae and cvae'",
        "ae, jacobian-chunk, 8, cae and cvae",
    })
    void aSettingTheFamilyDoesNotHaveIsAUsageError(String family, String flag, String value, String where) {
        String[] args = value == null
                ? new String[] {"train", "autoencoder", "--dataset", "mnist", "--family", family, "--" + flag,
                    "--data-dir", tmp.toString()}
                : new String[] {"train", "autoencoder", "--dataset", "mnist", "--family", family, "--" + flag, value,
                    "--data-dir", tmp.toString()};
        CliTest.Run r = CliTest.run(args);
        assertEquals(2, r.code(), r.err());
        assertEquals("aerobust: --" + flag + " does not apply here: it is for " + where, r.err().strip()
                .replaceAll(" \\(the other families fix it\\)", "").replaceAll(" \\(dataset .*\\)$", ""));
    }

    @Test
    void classifierSettingsAreNotAutoencoderSettings() {
        CliTest.Run r = CliTest.run("train", "autoencoder", "--dataset", "mnist", "--family", "ae", "--decay-norm");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("aerobust: Unknown option: '--decay-norm'"), r.err());
        CliTest.Run v = CliTest.run("train", "classifier", "--dataset", "btsc", "--val-size", "100");
        assertEquals(2, v.code());
        assertTrue(v.err().startsWith("aerobust: --val-size does not apply here: it is for mnist and fashion-mnist"),
                v.err());
    }

    /** Each attack: a setting it does not have is an error naming the flag, before the model is looked up. */
    @ParameterizedTest(name = "{0} --{1}")
    @CsvSource({
        "cw-linf, restarts, 2, 'pgd, eot-pgd, apgd-ce, apgd-dlr, apgd-t and square'",
        "cw-linf-authors, eot-draws, 5, 'eot-pgd, apgd-ce, apgd-dlr and apgd-t'",
        "pgd, lr, 0.1, 'cw-linf, cw-linf-authors and cw-l2'",
        "pgd, gamma, 2, cw-linf and cw-linf-authors",
        "deepfool, batch-rows, 10, every attack but deepfool and cw-l2",
        "pgd, targets, 3, apgd-t and fab-t",
        "apgd-ce, version, fast, autoattack",
        "autoattack, steps, 10, 'every attack but autoattack, whose members run at the settings of their papers'",
        "square, gradient, bpda, 'cw-linf, cw-linf-authors, pgd, eot-pgd, apgd-ce, apgd-dlr, apgd-t and fab-t'",
        "deepfool, kappa, 1, 'cw-linf, cw-linf-authors and cw-l2'",
        "cw-l2, step-factor, 2, pgd and eot-pgd",
        "cw-l2, overshoot, 0.1, deepfool",
        "cw-linf, search-steps, 3, cw-l2",
        "pgd, initial-const, 1, cw-l2",
    })
    void aSettingTheAttackDoesNotHaveIsAUsageError(String attack, String flag, String value, String where) {
        CliTest.Run r = CliTest.run("attack", "--model", "no-such-model", "--attack", attack, "--" + flag, value);
        assertEquals(2, r.code(), r.err());
        assertEquals("aerobust: --" + flag + " does not apply here: it is for " + where + " (attack " + attack + ")",
                r.err().strip());
    }

    @Test
    void samplingSettingsNeedTheSampledDefense() {
        CliTest.Run r = CliTest.run("attack", "--model", "no-such-model", "--scale", "2");
        assertEquals(2, r.code());
        assertEquals("aerobust: --scale does not apply here: it is for --defense sampled (dataset mnist, defense"
                + " deterministic)", r.err().strip());
        assertEquals(2, CliTest.run("attack", "--model", "no-such-model", "--samples", "3").code());
        CliTest.Run zero = CliTest.run("attack", "--model", "no-such-model", "--defense", "sampled", "--samples", "0");
        assertEquals("aerobust: --draws must be a positive integer, got '0'", zero.err().strip());
        CliTest.Run eot = CliTest.run("attack", "--model", "no-such-model", "--attack", "eot-pgd");
        assertEquals("aerobust: eot-pgd attacks the sampled defense as deployed; add --defense sampled",
                eot.err().strip());
    }

    @Test
    void badEpsIsAUsageError() {
        CliTest.Run r = CliTest.run("attack", "--model", "whatever", "--eps", "0.1,-0.05");
        assertEquals(2, r.code());
        assertEquals("aerobust: --eps must be numbers >= 0, comma-separated, got '0.1,-0.05'", r.err().strip());
        assertEquals(2, CliTest.run("attack", "--model", "whatever", "--eps", "NaN").code());
        assertEquals(2, CliTest.run("attack", "--model", "whatever", "--eps", "0.1,").code());
        CliTest.Run big = CliTest.run("attack", "--model", "whatever", "--eps", "1.5");
        assertEquals("aerobust: --eps must be in [0, 1] for cw-linf, got 1.5", big.err().strip());
    }

    @Test
    void badNumbersAndIdsAreUsageErrors() {
        CliTest.Run r = CliTest.run("attack", "--model", "x", "--n", "ten");
        assertEquals(2, r.code());
        assertEquals("aerobust: --n must be a positive integer, got 'ten'", r.err().strip());
        CliTest.Run id = CliTest.run("attack", "--model", "../../elsewhere/models/x");
        assertEquals(2, id.code());
        assertEquals("aerobust: '../../elsewhere/models/x' is not a model id (see: aerobust models list)",
                id.err().strip());
    }

    @Test
    void trainingAndAttackCommandsHaveHelp() {
        for (String[] cmd : new String[][] {{"train", "--help"}, {"train", "classifier", "--help"},
            {"train", "autoencoder", "--help"}, {"models", "list", "--help"}, {"attack", "--help"},
            {"bench", "--help"}, {"demo", "--help"}, {"settings", "--help"}}) {
            CliTest.Run r = CliTest.run(cmd);
            assertEquals(0, r.code(), String.join(" ", cmd));
            assertTrue(r.out().contains("Usage: aerobust"));
        }
    }
}
