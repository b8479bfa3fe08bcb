package dev.aerobust.nn;

import org.bytedeco.pytorch.global.torch.ScalarType;

/** Element types the science code uses. */
public enum DType {
    FLOAT32(ScalarType.Float),
    FLOAT64(ScalarType.Double),
    BFLOAT16(ScalarType.BFloat16),
    INT64(ScalarType.Long);

    private final ScalarType scalarType;

    DType(ScalarType scalarType) {
        this.scalarType = scalarType;
    }

    ScalarType scalarType() {
        return scalarType;
    }

    static DType of(ScalarType t) {
        for (DType d : values()) {
            if (d.scalarType.value == t.value) {
                return d;
            }
        }
        throw new IllegalArgumentException("unsupported scalar type " + t);
    }
}
