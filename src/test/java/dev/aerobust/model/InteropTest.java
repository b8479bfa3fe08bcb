package dev.aerobust.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aerobust.data.DatasetId;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.testing.Python;

/** Models cross between aerobust and Python PyTorch, both ways. */
@Tag("slow")
class InteropTest {

    @TempDir
    Path tmp;

    /** A user's TorchScript classifier runs here with the logits Python computed, and passes input gradients. */
    @Test
    void aTorchScriptClassifierGivesPythonsLogitsAndInputGradients() throws Exception {
        Python.requireTorch();
        Path pt = tmp.resolve("clf.pt");
        assertEquals(0, Python.run(Python.script().toString(), "script", pt.toString()).exitCode());
        JsonNode ref = new ObjectMapper().readTree(Path.of(pt + ".json").toFile());
        float[] in = new float[ref.get("input").size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) ref.get("input").get(i).asDouble();
        }
        ScriptedClassifier clf = new ScriptedClassifier(pt);
        clf.freeze();
        try (Scope s = Scope.open()) {
            Tensor x = Tensors.fromFloats(in, 2, 1, 28, 28).set_requires_grad(true);
            Tensor logits = clf.logits(x);
            float[] got = Tensors.toFloats(logits);
            assertEquals(20, got.length);
            for (int i = 0; i < got.length; i++) {
                assertEquals(ref.get("logits").get(i).asDouble(), got[i], 1e-5);
            }
            logits.select(1, 3).sum().backward();
            double norm = 0;
            for (float v : Tensors.toFloats(x.grad())) {
                norm += v * v;
            }
            assertTrue(norm > 0, "input gradient flows through the script");
        }
    }

    @Test
    void aFileThatIsNotTorchScriptIsAClearError() throws Exception {
        Path junk = tmp.resolve("junk.pt");
        Files.writeString(junk, "junk");
        dev.aerobust.util.AerobustException e = assertThrows(dev.aerobust.util.AerobustException.class,
                () -> new ScriptedClassifier(junk));
        assertTrue(e.getMessage().startsWith(junk + ": not a TorchScript module"), e.getMessage());
    }

    /** Weights saved here load in Python with the documented two lines, with the same names and values. */
    @Test
    void savedWeightsLoadInPython() throws Exception {
        Python.requireTorch();
        Engine.seed(3);
        Autoencoder ae = new Autoencoder(new Autoencoder.Spec(1, 28, 28, 16, true, Autoencoder.DecoderMean.SIGMOID,
                0.0025));
        Path f = tmp.resolve("weights.pt");
        ae.save(f);
        Python.Result r = Python.run(Python.script().toString(), "state", f.toString());
        assertEquals(0, r.exitCode(), r.out());
        JsonNode py = new ObjectMapper().readTree(r.out());
        Map<String, Tensor> params = ae.namedParameters();
        assertEquals(15, params.size()); // 7 layers x (weight, bias) + the decoder variance
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            JsonNode v = py.get(e.getKey());
            assertTrue(v != null, "Python sees " + e.getKey());
            long[] pyShape = new long[v.get(0).size()];
            for (int i = 0; i < pyShape.length; i++) {
                pyShape[i] = v.get(0).get(i).asLong();
            }
            assertArrayEquals(Tensors.shape(e.getValue()), pyShape, e.getKey());
            double sum = 0;
            for (float x : Tensors.toFloats(e.getValue())) {
                sum += x;
            }
            assertEquals(sum, v.get(1).asDouble(), 1e-4, e.getKey());
        }
    }

    @Test
    void builtInClassifierIsALogitsModel() {
        Classifier c = new Classifier(DatasetId.BTSC);
        c.freeze();
        c.parameters().forEach(p -> assertTrue(!p.requires_grad()));
        try (Scope s = Scope.open()) {
            assertArrayEquals(new long[] {2, 62},
                    Tensors.shape(c.logits(org.bytedeco.pytorch.global.torch.rand(2, 3, 32, 32))));
        }
    }
}
