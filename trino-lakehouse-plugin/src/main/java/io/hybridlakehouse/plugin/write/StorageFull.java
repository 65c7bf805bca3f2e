package io.hybridlakehouse.plugin.write;

import com.google.common.base.Throwables;
import io.trino.spi.TrinoException;

import java.util.Optional;
import java.util.function.Supplier;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_STORAGE_FULL;

/**
 * Recognizes a write that failed because the warehouse's storage (or the embedded metastore's
 * disk) is full. The writers report it as "Error committing write parquet to Hive" or a failed
 * commit, with the cause several levels down; the user needs to hear that space ran out, that
 * the statement left nothing behind, and that it can simply be run again once space is freed.
 */
public final class StorageFull
{
    private static final String[] FULL_MESSAGES = {
            // ENOSPC and EDQUOT, as the JDK and Hadoop report them
            "No space left on device",
            "Disk quota exceeded",
            // SQLITE_FULL
            "database or disk is full",
    };

    private StorageFull() {}

    /**
     * Runs {@code write}, reporting a failure caused by full storage as {@code HYBRID_STORAGE_FULL}.
     */
    public static <T> T translating(String what, Supplier<T> write)
    {
        try {
            return write.get();
        }
        catch (RuntimeException e) {
            throw translated(what, e).orElseThrow(() -> e);
        }
    }

    public static Optional<TrinoException> translated(String what, Throwable failure)
    {
        if (failure instanceof TrinoException trinoException && trinoException.getErrorCode().equals(HYBRID_STORAGE_FULL.toErrorCode())) {
            return Optional.of(trinoException);
        }
        for (Throwable cause : Throwables.getCausalChain(failure)) {
            String message = String.valueOf(cause.getMessage());
            for (String full : FULL_MESSAGES) {
                if (message.contains(full)) {
                    return Optional.of(new TrinoException(HYBRID_STORAGE_FULL, ("%s failed because the storage is full (%s). " +
                            "Nothing of it was committed: free space in the warehouse (or its metastore's disk) and run it again").formatted(what, message), failure));
                }
            }
        }
        return Optional.empty();
    }
}
