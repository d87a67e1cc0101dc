package org.jegress.server.cli;

import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Minimal flag parsing: {@code --name value} or {@code --name=value}, the rest positional. */
final class Flags {

    final List<String> positional = new ArrayList<>();
    private final Map<String, String> values = new HashMap<>();

    static Flags parse(Deque<String> args, List<String> known) {
        Flags f = new Flags();
        while (!args.isEmpty()) {
            String a = args.removeFirst();
            if (!a.startsWith("--")) {
                f.positional.add(a);
                continue;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (!known.contains(name)) {
                throw new Main.UsageException("unknown option " + name);
            }
            if (value == null) {
                if (args.isEmpty()) {
                    throw new Main.UsageException(name + " needs a value");
                }
                value = args.removeFirst();
            }
            f.values.put(name, value);
        }
        return f;
    }

    String value(String name) {
        return values.get(name);
    }
}
