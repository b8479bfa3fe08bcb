package dev.aerobust.cli;

import java.util.Map;

import picocli.CommandLine;

import dev.aerobust.util.Versions;

/** {@code --version}: aerobust, Java and OS, without loading the engine. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        Map<String, String> v = Versions.basic();
        return new String[] {"aerobust " + v.get("aerobust"), "java " + v.get("java"), "os " + v.get("os")};
    }
}
