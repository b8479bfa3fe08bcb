package dev.aerobust.nn;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * Scoped native memory: every tensor created inside the scope is freed when it closes, unless it is
 * {@linkplain #keep kept}. Wrap each training step or attack iteration in one, or native memory grows by
 * hundreds of MB per iteration. State that must outlive the step (weights, optimizer moments) is created
 * outside the scope.
 */
public final class Scope implements AutoCloseable {

    private final PointerScope scope;

    private Scope() {
        Engine.init();
        this.scope = new PointerScope();
    }

    public static Scope open() {
        Scope s = new Scope();
        Engine.flushSubnormals();
        return s;
    }

    /** Detaches {@code p} from this scope so it survives {@link #close()}; the caller then owns it. */
    public <P extends Pointer> P keep(P p) {
        scope.detach(p);
        return p;
    }

    @Override
    public void close() {
        scope.close();
    }
}
