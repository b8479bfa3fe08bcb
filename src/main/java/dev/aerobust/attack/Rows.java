package dev.aerobust.attack;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.IntStream;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Progress;

/**
 * The batching that budgeted attacks share: every (image, eps) pair is one row carrying its own eps, rows run
 * in chunks, each chunk's output (images and margins) is checked against the invariants, and the rows are
 * reassembled into an {@link AttackResult} (success: a final margin below zero).
 */
final class Rows {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Rows.class);

    /** Attacks one chunk of rows; returns the kept iterates and fills {@code marginsOut}. */
    interface Chunk {
        Tensor attack(Tensor x0, Tensor y, double[] eps, double[] marginsOut, long done);
    }

    /** The attack's margins at unmoved rows (eps 0: the box is the clean image alone). */
    interface Unmoved {
        double[] margins(Tensor x0, Tensor y);
    }

    private Rows() {
    }

    static void requireEps(double[] eps) {
        for (double e : eps) {
            if (!(e >= 0)) {
                throw new AerobustException(ExitCode.USAGE, "eps must be >= 0, got " + e);
            }
        }
    }

    /** Attacks a set of rows of a run: row {@code r} is image {@code image[r]} at budget {@code eps[r]}. */
    interface Pass {
        Attacked attack(int[] image, double[] eps, ChunkStore store);
    }

    /**
     * Runs {@code pass} over every (image, eps) row and assembles the {@link AttackResult}. Not nested: one pass over
     * all rows, eps by eps, every image at each. Nested ({@code nest}): the eps values in increasing order, each a
     * pass of its own over the images that no smaller eps has fooled; an adversarial example found at a smaller
     * eps lies inside every larger box, so it is checked there first ({@code fooling}'s margin on it, below zero
     * where it fools) and kept where it still fools, and a row attacked again keeps the smaller eps's example where that one's margin is
     * lower (the margin never rises with eps). With a {@code store}, each eps's pass keeps its chunks in a folder
     * of its own (a killed run resumes inside the eps it was in). The result says how many rows each eps attacked;
     * {@code carried} is told how many rows each eps took from a smaller one.
     */
    static AttackResult run(Tensor x, Tensor labels, double[] eps, boolean nest, Pass pass, Unmoved fooling,
                            ChunkStore store, java.util.function.IntConsumer carried) {
        requireEps(eps);
        Images images = Images.of(x, labels);
        int n = images.count();
        int[] attacked = new int[eps.length];
        if (!nest) {
            Grid grid = Grid.of(n, eps);
            for (int e = 0; e < eps.length; e++) {
                attacked[e] = moves(eps[e]) ? n : 0;
            }
            return pass.attack(grid.image(), grid.eps(), store).result(eps, images, attacked);
        }
        int per = images.perImage();
        float[] adversarial = new float[n * eps.length * per];
        double[] margin = new double[n * eps.length];
        int[] order = IntStream.range(0, eps.length).boxed().sorted(java.util.Comparator.comparingDouble(e -> eps[e]))
                .mapToInt(Integer::intValue).toArray();
        int prev = -1;
        for (int e : order) {
            int at = e;
            int from = prev;
            int[] fooledBefore = from < 0 ? new int[0]
                    : IntStream.range(0, n).filter(i -> margin[from * n + i] < 0).toArray();
            double[] check = carriedMargins(images, adversarial, from, fooledBefore, fooling);
            boolean[] keep = new boolean[n];
            for (int k = 0; k < fooledBefore.length; k++) {
                int i = fooledBefore[k];
                if (check[k] < 0) {
                    keep[i] = true;
                    margin[e * n + i] = check[k];
                    System.arraycopy(adversarial, (from * n + i) * per, adversarial, (e * n + i) * per, per);
                }
            }
            int[] todo = IntStream.range(0, n).filter(i -> !keep[i]).toArray();
            attacked[e] = moves(eps[e]) ? todo.length : 0;
            carried.accept(n - todo.length);
            if (todo.length == 0) {
                prev = e;
                continue;
            }
            double[] budget = new double[todo.length];
            Arrays.fill(budget, eps[e]);
            int[] runRows = Arrays.stream(todo).map(i -> at * n + i).toArray();
            Attacked a = pass.attack(todo, budget, store == null ? null : store.atEps(eps[e], runRows));
            for (int k = 0; k < todo.length; k++) {
                int i = todo[k];
                boolean smaller = from >= 0 && margin[from * n + i] < a.margins()[k];
                int src = smaller ? (from * n + i) * per : k * per;
                System.arraycopy(smaller ? adversarial : a.adversarial(), src, adversarial, (e * n + i) * per, per);
                margin[e * n + i] = smaller ? margin[from * n + i] : a.margins()[k];
            }
            prev = e;
        }
        return new Attacked(adversarial, margin).result(eps, images, attacked);
    }

    /**
     * The margins, under the attack's own measure ({@code unmoved}), of the examples a smaller eps ({@code from})
     * found for {@code images}; in batches of rows, none moved.
     */
    private static double[] carriedMargins(Images all, float[] adversarial, int from, int[] images, Unmoved unmoved) {
        double[] out = new double[images.length];
        int per = all.perImage();
        int n = all.count();
        for (int k0 = 0; k0 < images.length; k0 += CHECK_ROWS) {
            int m = Math.min(images.length, k0 + CHECK_ROWS) - k0;
            float[] xs = new float[m * per];
            long[] ys = new long[m];
            for (int k = 0; k < m; k++) {
                System.arraycopy(adversarial, (from * n + images[k0 + k]) * per, xs, k * per, per);
                ys[k] = all.labels()[images[k0 + k]];
            }
            long[] shape = all.shape().clone();
            shape[0] = m;
            try (Scope s = Scope.open()) {
                System.arraycopy(unmoved.margins(Tensors.fromFloats(xs, shape), Tensors.fromLongs(ys, m)), 0, out, k0,
                        m);
            }
        }
        return out;
    }

    /** Rows per batch of the check of a smaller eps's examples (forward passes only). */
    private static final int CHECK_ROWS = 1000;

    /** The clean images a run attacks: flattened values, shape {@code [n, ...]} and labels. */
    record Images(float[] clean, long[] shape, long[] labels) {

        static Images of(Tensor x, Tensor labels) {
            return new Images(Tensors.toFloats(x), Tensors.shape(x), Tensors.toLongs(labels));
        }

        int count() {
            return (int) shape[0];
        }

        int perImage() {
            return clean.length / count();
        }
    }

    /** The rows of a full run, eps by eps, every image at each: row {@code r}'s image and budget. */
    record Grid(int[] image, double[] eps) {

        static Grid of(int n, double[] eps) {
            int[] image = new int[n * eps.length];
            double[] budget = new double[n * eps.length];
            for (int r = 0; r < image.length; r++) {
                image[r] = r % n;
                budget[r] = eps[r / n];
            }
            return new Grid(image, budget);
        }
    }

    /** What a pass over rows kept: their iterates (flattened, row by row) and final margins. */
    record Attacked(float[] adversarial, double[] margins) {

        /**
         * The rows of a full run (eps by eps, every image at each) as an {@link AttackResult}; {@code attacked}: the
         * rows each eps attacked.
         */
        AttackResult result(double[] eps, Images images, int[] attacked) {
            int n = images.count();
            int per = images.perImage();
            float[][] adv = new float[eps.length][];
            boolean[][] success = new boolean[eps.length][n];
            double[][] margin = new double[eps.length][n];
            for (int e = 0; e < eps.length; e++) {
                adv[e] = Arrays.copyOfRange(adversarial, e * n * per, (e + 1) * n * per);
                for (int i = 0; i < n; i++) {
                    margin[e][i] = margins[e * n + i];
                    success[e][i] = margin[e][i] < 0;
                }
            }
            return new AttackResult(eps.clone(), images.shape(), adv, success, margin, attacked.clone());
        }
    }

    /**
     * Runs {@code chunk} over the given rows, {@code batchRows} at a time: row {@code r} is image {@code image[r]}
     * at budget {@code eps[r]}. With a {@code store}, each chunk runs from its own seed, and chunks the store holds
     * are taken from it (and checked like fresh ones). Rows of eps 0 are not attacked (no step can leave the clean
     * image): their output is the clean image, their margin {@code unmoved}'s. Every chunk's output is checked
     * against the invariants. The bar ({@code start}: its position before these rows) is left open.
     */
    static Attacked runRows(String name, Images images, int[] image, double[] eps, int batchRows, long workPerRow,
                            Progress bar, long start, Chunk chunk, Unmoved unmoved, ChunkStore store) {
        requireEps(eps);
        int per = images.perImage();
        int rows = image.length;
        float[] advAll = new float[rows * per];
        double[] marginAll = new double[rows];
        long done = start;
        for (int r0 = 0; r0 < rows; r0 += batchRows) {
            int m = Math.min(rows, r0 + batchRows) - r0;
            float[] xs = new float[m * per];
            long[] ys = new long[m];
            double[] es = Arrays.copyOfRange(eps, r0, r0 + m);
            for (int r = 0; r < m; r++) {
                System.arraycopy(images.clean(), image[r0 + r] * per, xs, r * per, per);
                ys[r] = images.labels()[image[r0 + r]];
            }
            long[] chunkShape = images.shape().clone();
            chunkShape[0] = m;
            int first = r0;
            Optional<ChunkStore.Chunk> kept = store == null ? Optional.empty()
                    : store.load(r0, m, per).filter(c -> holds(name, xs, chunkShape, c, es, first));
            if (kept.isPresent()) {
                System.arraycopy(kept.get().adversarial(), 0, advAll, r0 * per, m * per);
                System.arraycopy(kept.get().margins(), 0, marginAll, r0, m);
                if (bar != null) {
                    bar.kept(m * workPerRow);
                }
            } else {
                try (Scope s = Scope.open()) {
                    if (store != null) {
                        dev.aerobust.nn.Engine.seed(store.seed() * 1_000_003L + r0);
                    }
                    Tensor x0 = Tensors.fromFloats(xs, chunkShape);
                    double[] margins = new double[m];
                    // rows of eps 0 cost one forward: done at the chunk's start, and left out of the ETA's pace
                    long still = Arrays.stream(es).filter(e -> !moves(e)).count();
                    if (bar != null) {
                        bar.kept(still * workPerRow);
                    }
                    Tensor adv = attackMoved(x0, Tensors.fromLongs(ys, m), es, margins, done + still * workPerRow,
                            chunk, unmoved);
                    Invariants.check(name, x0, xs, adv, es);
                    Invariants.checkMargins(name, margins, r0);
                    float[] a = Tensors.toFloats(adv);
                    System.arraycopy(a, 0, advAll, r0 * per, m * per);
                    System.arraycopy(margins, 0, marginAll, r0, m);
                    if (store != null) {
                        store.save(r0, new ChunkStore.Chunk(a, margins));
                    }
                }
            }
            done += m * workPerRow;
        }
        return new Attacked(advAll, marginAll);
    }

    /**
     * Whether a kept chunk meets the invariants rows attacked now are held to (inside the box and [0, 1], no
     * NaN among its images or margins): one that does not is not trusted, and its rows are attacked again.
     */
    private static boolean holds(String name, float[] xs, long[] shape, ChunkStore.Chunk kept, double[] eps,
                                 int first) {
        try (Scope s = Scope.open()) {
            Invariants.check(name, Tensors.fromFloats(xs, shape), xs, Tensors.fromFloats(kept.adversarial(), shape),
                    eps);
            Invariants.checkMargins(name, kept.margins(), first);
            return true;
        } catch (AerobustException e) {
            LOG.warn("the kept rows from {} break the attack's invariants ({}); attacking them again", first,
                    e.getMessage());
            return false;
        }
    }

    /**
     * Runs {@code chunk} on the rows of eps above 0 alone and {@code unmoved} on the rest, whose output is their
     * clean image; fills {@code marginsOut} for all. {@code done} is the progress position with the rest counted.
     */
    private static Tensor attackMoved(Tensor x0, Tensor y, double[] eps, double[] marginsOut, long done, Chunk chunk,
                                      Unmoved unmoved) {
        int[] moved = IntStream.range(0, eps.length).filter(i -> moves(eps[i])).toArray();
        if (moved.length == eps.length) {
            return chunk.attack(x0, y, eps, marginsOut, done);
        }
        int[] still = IntStream.range(0, eps.length).filter(i -> !moves(eps[i])).toArray();
        Tensor stillIdx = index(still);
        double[] ms = unmoved.margins(torch.index_select(x0, 0, stillIdx), torch.index_select(y, 0, stillIdx));
        for (int i = 0; i < still.length; i++) {
            marginsOut[still[i]] = ms[i];
        }
        Tensor out = x0.clone();
        if (moved.length > 0) {
            Tensor idx = index(moved);
            double[] es = Arrays.stream(moved).mapToDouble(i -> eps[i]).toArray();
            double[] sub = new double[moved.length];
            Tensor adv = chunk.attack(torch.index_select(x0, 0, idx), torch.index_select(y, 0, idx), es, sub, done);
            for (int i = 0; i < moved.length; i++) {
                marginsOut[moved[i]] = sub[i];
            }
            out.index_copy_(0, idx, adv);
        }
        return out;
    }

    /** Whether a row of budget {@code eps} is attacked: above 0 (at 0 the box is the clean image alone). */
    private static boolean moves(double eps) {
        return eps > 0;
    }

    /** The rows {@code rows} as an int64 index for {@code index_select} and {@code index_copy}. */
    private static Tensor index(int[] rows) {
        return Tensors.fromLongs(Arrays.stream(rows).asLongStream().toArray(), rows.length);
    }

    /** Attacks a subset of rows: their indices (int64), inputs, labels and budgets; fills their margins. */
    interface Subset {
        Tensor attack(Tensor idx, Tensor x0, Tensor y, double[] eps, double[] marginsOut);
    }

    /**
     * Runs {@code attack} on the rows {@code best} has not yet fooled (margin not below zero) and keeps each row's
     * result where it lowers the margin: restarts, further targets and ensemble members attack only what is left.
     * Returns {fooled by this attack, rows attacked}.
     */
    static int[] onStillCorrect(BestIterate best, Tensor x0, Tensor y, double[] eps, Subset attack) {
        int m = eps.length;
        double[] margin = new double[m];
        best.marginsInto(margin);
        int[] active = IntStream.range(0, m).filter(i -> !(margin[i] < 0)).toArray();
        if (active.length == 0) {
            return new int[] {0, 0};
        }
        try (Scope s = Scope.open()) {
            Tensor idx = index(active);
            double[] es = Arrays.stream(active).mapToDouble(i -> eps[i]).toArray();
            double[] sub = new double[active.length];
            Tensor adv = attack.attack(idx, torch.index_select(x0, 0, idx), torch.index_select(y, 0, idx), es, sub);
            double[] full = new double[m];
            Arrays.fill(full, Double.POSITIVE_INFINITY);
            int fooled = 0;
            for (int i = 0; i < active.length; i++) {
                full[active[i]] = sub[i];
                fooled += sub[i] < 0 ? 1 : 0;
            }
            best.offer(best.best().index_copy(0, idx, adv), full, 0);
            return new int[] {fooled, active.length};
        }
    }

    /**
     * The target classes of the targeted attacks: per row, the classes of the 2nd to (targets + 1)-th highest
     * logits (fewer if the model has fewer classes), {@code [n, targets]}.
     */
    static Tensor targets(Tensor logits, int targets) {
        long n = Math.min(targets, logits.size(1) - 1);
        return torch.sort(logits, 1, true).get1().narrow(1, 1, n).contiguous();
    }

    /** A {@code [m, 1, ..., 1]} tensor of per-row values, broadcastable against a batch of inputs. */
    static Tensor perRow(double[] v, long dims) {
        long[] shape = new long[(int) dims];
        Arrays.fill(shape, 1);
        shape[0] = v.length;
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Tensors.fromFloats(f, shape);
    }

    /** Copies the rows of {@code candidate} whose flag is set into {@code best}, in place. */
    static void keep(Tensor best, Tensor candidate, boolean[] take) {
        double[] t = new double[take.length];
        boolean any = false;
        for (int i = 0; i < take.length; i++) {
            t[i] = take[i] ? 1 : 0;
            any |= take[i];
        }
        if (!any) {
            return;
        }
        Tensor mask = perRow(t, best.dim()).gt(Ops.scalar(0.5));
        Autograd.noGrad(() -> best.copy_(Ops.where(mask, candidate.detach(), best)));
    }
}
