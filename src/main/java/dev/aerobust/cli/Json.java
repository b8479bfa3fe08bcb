package dev.aerobust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The one JSON mapper of the CLI. */
final class Json {

    /** The store's mapper (datasets and families by their names), allowing objects without properties. */
    static final ObjectMapper MAPPER = dev.aerobust.store.ModelStore.JSON.copy()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {
    }
}
