package dev.aerobust.attack;

import java.util.Arrays;
import java.util.stream.IntStream;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.nn.Tensors;

/**
 * The rows of a batch an iterative attack still works on. A row leaves once it is fooled (its margin below zero;
 * under every draw, for an attack that averages draws of a randomized defense): nothing a later iteration finds
 * can change its verdict, so later iterations pass only the rows still correct through the model. The batch's
 * state (iterates, step sizes, best points) stays whole, in place; only the model's passes take the live rows,
 * and a row's numbers do not depend on which other rows are live.
 */
final class LiveRows {

    private final int n;
    private final boolean compact;
    private int[] rows;

    /** All {@code n} rows of a batch, live; {@code compact}: fooled rows leave (false: every row stays, a check). */
    LiveRows(int n, boolean compact) {
        this.n = n;
        this.compact = compact;
        this.rows = IntStream.range(0, n).toArray();
    }

    boolean all() {
        return rows.length == n;
    }

    boolean none() {
        return rows.length == 0;
    }

    /** The live rows' positions in the batch, ascending. */
    int[] rows() {
        return rows.clone();
    }

    /** The live rows as an int64 index (a tensor of the caller's scope). */
    Tensor index() {
        return Tensors.fromLongs(Arrays.stream(rows).asLongStream().toArray(), rows.length);
    }

    /** The live rows of a whole-batch tensor (the tensor itself while every row is live). */
    Tensor of(Tensor whole) {
        return all() ? whole : torch.index_select(whole, 0, index());
    }

    /**
     * A whole-batch tensor shaped like {@code like}: the live rows' values from {@code part}, zero elsewhere
     * (a gradient of zero leaves a finished row where it is).
     */
    Tensor spread(Tensor part, Tensor like) {
        return all() ? part : torch.zeros_like(like).index_copy(0, index(), part);
    }

    /** A whole-batch array: the live rows' values from {@code part}, {@code fill} elsewhere. */
    double[] spread(double[] part, double fill) {
        if (all()) {
            return part;
        }
        double[] whole = new double[n];
        Arrays.fill(whole, fill);
        for (int i = 0; i < rows.length; i++) {
            whole[rows[i]] = part[i];
        }
        return whole;
    }

    /** Takes the rows whose flag ({@code fooled}, by live position) is set out of the live set. */
    void drop(boolean[] fooled) {
        if (fooled.length != rows.length) {
            throw new IllegalArgumentException(fooled.length + " flags for " + rows.length + " live rows");
        }
        if (compact) {
            rows = IntStream.range(0, rows.length).filter(i -> !fooled[i]).map(i -> rows[i]).toArray();
        }
    }
}
