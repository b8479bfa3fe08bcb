package dev.aerobust.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.aerobust.nn.Engine;
import dev.aerobust.nn.NativeCache;
import dev.aerobust.util.Versions;

/** Loads the engine and prints every version that provenance records. Also a smoke test of the native load. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Load the tensor engine and print the versions (aerobust, libtorch, Java, OS).")
final class VersionCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> v = new LinkedHashMap<>(Versions.basic());
        Engine.init();
        v.put("libtorch", Engine.torchVersion());
        v.put("javacpp_preset", Engine.presetVersion());
        v.put("threads", Engine.threads());
        v.put("native_cache", NativeCache.cacheDir().toString());
        // one real computation proves the natives work, not just that they loaded
        try (dev.aerobust.nn.Scope s = dev.aerobust.nn.Scope.open()) {
            v.put("engine_check", dev.aerobust.nn.Tensors.toFloats(
                    org.bytedeco.pytorch.global.torch.ones(2, 3).sum())[0] == 6f ? "ok" : "failed");
        }
        if (json) {
            spec.commandLine().getOut().println(Json.MAPPER.writeValueAsString(v));
        } else {
            v.forEach((k, val) -> spec.commandLine().getOut().println(k + ": " + val));
        }
        return "ok".equals(v.get("engine_check")) ? 0 : 1;
    }
}
