package dev.aerobust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Bad input to the training and attack commands: one line, a usage exit code, nothing trained. */
class TrainAttackCliTest {

    @Test
    void unknownFamilyIsAUsageError() {
        CliTest.Run r = CliTest.run("train", "autoencoder", "--dataset", "mnist", "--family", "gan");
        assertEquals(2, r.code());
        assertEquals("aerobust: unknown autoencoder family 'gan' (known: ae, dae, vae, dvae, cae, cvae)",
                r.err().strip());
    }

    @Test
    void negativeNoiseIsAUsageError() {
        CliTest.Run r = CliTest.run("train", "autoencoder", "--dataset", "mnist", "--family", "vae", "--stp", "-0.1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("stp, alpha and beta must be >= 0"), r.err());
    }

    @Test
    void contractiveWeightOnANonContractiveFamilyIsRejected() {
        CliTest.Run r = CliTest.run("train", "autoencoder", "--dataset", "mnist", "--family", "dae", "--alpha", "0.1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("has no contractive penalty"), r.err());
    }

    @Test
    void negativeOrNanEpsIsAUsageError() {
        CliTest.Run r = CliTest.run("attack", "--model", "whatever", "--eps", "0.1,-0.05");
        assertEquals(2, r.code());
        assertEquals("aerobust: eps must be in [0, 1], got -0.05", r.err().strip());
        assertEquals(2, CliTest.run("attack", "--model", "whatever", "--eps", "NaN").code());
    }

    @Test
    void badNumbersAreUsageErrors() {
        CliTest.Run r = CliTest.run("attack", "--model", "x", "--n", "ten");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("aerobust: Invalid value for option '--n'"), r.err());
    }

    @Test
    void trainingAndAttackCommandsHaveHelp() {
        for (String[] cmd : new String[][] {{"train", "--help"}, {"train", "classifier", "--help"},
            {"train", "autoencoder", "--help"}, {"models", "list", "--help"}, {"attack", "--help"},
            {"bench", "--help"}, {"demo", "--help"}}) {
            CliTest.Run r = CliTest.run(cmd);
            assertEquals(0, r.code(), String.join(" ", cmd));
            assertTrue(r.out().contains("Usage: aerobust"));
        }
    }
}
