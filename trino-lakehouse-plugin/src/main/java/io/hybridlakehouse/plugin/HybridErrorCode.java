package io.hybridlakehouse.plugin;

import io.trino.spi.ErrorCode;
import io.trino.spi.ErrorCodeSupplier;
import io.trino.spi.ErrorType;

import static io.trino.spi.ErrorType.EXTERNAL;
import static io.trino.spi.ErrorType.INTERNAL_ERROR;
import static io.trino.spi.ErrorType.USER_ERROR;

public enum HybridErrorCode
        implements ErrorCodeSupplier
{
    HYBRID_CONFIGURATION_ERROR(0, USER_ERROR),
    HYBRID_METASTORE_ERROR(1, EXTERNAL),
    HYBRID_INVALID_TABLE_PROPERTY(2, USER_ERROR),
    HYBRID_UNSUPPORTED_TYPE(3, USER_ERROR),
    HYBRID_CORRUPT_SEGMENT(4, EXTERNAL),
    HYBRID_COMMIT_ERROR(5, EXTERNAL),
    HYBRID_WRITER_ERROR(6, EXTERNAL),
    HYBRID_INTERNAL_ERROR(7, INTERNAL_ERROR),
    HYBRID_HISTORY_NOT_KEPT(8, USER_ERROR),
    HYBRID_UNSUPPORTED_MATERIALIZED_VIEW(9, USER_ERROR),
    HYBRID_METASTORE_UNAVAILABLE(10, EXTERNAL),
    HYBRID_STORAGE_FULL(11, EXTERNAL),
    /**/;

    private final ErrorCode errorCode;

    HybridErrorCode(int code, ErrorType type)
    {
        // 0x0A11_0000 keeps clear of the ranges used by Trino's bundled connectors
        errorCode = new ErrorCode(code + 0x0A11_0000, name(), type);
    }

    @Override
    public ErrorCode toErrorCode()
    {
        return errorCode;
    }
}
