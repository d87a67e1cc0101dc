package org.jegress.testsuite.storage;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the storage emulators that {@code scripts/setup test} installs are. */
final class Tools {

    private Tools() {
    }

    /** {@code egress-testsuite/tools/node_modules/.bin/<name>}, found from any module's working directory. */
    static Path nodeBin(String name) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path bin = d.resolve("egress-testsuite/tools/node_modules/.bin").resolve(name);
            if (Files.isExecutable(bin)) {
                return bin;
            }
        }
        throw new IllegalStateException(name + " is not installed: run scripts/setup test");
    }

    /** A Go binary installed with {@code go install} ({@code ~/go/bin}, or {@code GOBIN}). */
    static Path goBin(String name) {
        String gobin = System.getenv("GOBIN");
        Path p = gobin != null && !gobin.isEmpty() ? Path.of(gobin, name)
                : Path.of(System.getProperty("user.home"), "go", "bin", name);
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(p + " is not installed: run scripts/setup test");
        }
        return p;
    }
}
