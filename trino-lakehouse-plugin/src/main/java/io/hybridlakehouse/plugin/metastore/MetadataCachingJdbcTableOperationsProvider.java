package io.hybridlakehouse.plugin.metastore;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.util.concurrent.UncheckedExecutionException;
import com.google.inject.Inject;
import io.trino.filesystem.TrinoFileSystemFactory;
import io.trino.plugin.iceberg.catalog.IcebergTableOperations;
import io.trino.plugin.iceberg.catalog.IcebergTableOperationsProvider;
import io.trino.plugin.iceberg.catalog.TrinoCatalog;
import io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcClient;
import io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcTableOperations;
import io.trino.plugin.iceberg.fileio.ForwardingFileIo;
import io.trino.spi.connector.ConnectorSession;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.io.FileIO;

import java.time.Duration;
import java.util.Optional;

import static com.google.common.base.Throwables.throwIfUnchecked;
import static io.trino.cache.CacheUtils.uncheckedCacheGet;
import static io.trino.plugin.iceberg.IcebergSessionProperties.isUseFileSizeFromMetadata;
import static java.util.Objects.requireNonNull;

/**
 * Trino's table operations for the JDBC catalog ({@code IcebergJdbcTableOperationsProvider}),
 * with the parsed metadata file shared across queries. Every query reads the table's current
 * metadata location from the catalog database, as Trino does, and then parsed that JSON file
 * again; a metadata file is never rewritten (each commit writes a new one), so the parse of a
 * location is reused. Sharing the parsed metadata also shares what Iceberg caches in it, such as
 * a snapshot's manifest list once read.
 */
public class MetadataCachingJdbcTableOperationsProvider
        implements IcebergTableOperationsProvider
{
    // the current version of each table in use; older versions stop being asked for after a commit and expire
    private static final long METADATA_FILES = 500;
    private static final Duration UNUSED_EXPIRY = Duration.ofMinutes(10);

    private final IcebergJdbcClient jdbcClient;
    private final TrinoFileSystemFactory fileSystemFactory;
    private final Cache<String, TableMetadata> parsedMetadata = CacheBuilder.newBuilder()
            .maximumSize(METADATA_FILES)
            .expireAfterAccess(UNUSED_EXPIRY)
            .build();

    @Inject
    public MetadataCachingJdbcTableOperationsProvider(IcebergJdbcClient jdbcClient, TrinoFileSystemFactory fileSystemFactory)
    {
        this.jdbcClient = requireNonNull(jdbcClient, "jdbcClient is null");
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
    }

    @Override
    public IcebergTableOperations createTableOperations(
            TrinoCatalog catalog,
            ConnectorSession session,
            String database,
            String table,
            Optional<String> owner,
            Optional<String> location)
    {
        return new MetadataCachingOperations(
                new ForwardingFileIo(fileSystemFactory.create(session), isUseFileSizeFromMetadata(session)),
                jdbcClient,
                session,
                database,
                table,
                owner,
                location);
    }

    private TableMetadata parsed(FileIO fileIo, String metadataLocation)
    {
        try {
            return uncheckedCacheGet(parsedMetadata, metadataLocation, () -> TableMetadataParser.read(fileIo, fileIo.newInputFile(metadataLocation)));
        }
        catch (UncheckedExecutionException e) {
            // Trino's retry and error translation decide by the parser's own exception
            throwIfUnchecked(e.getCause());
            throw e;
        }
    }

    private class MetadataCachingOperations
            extends IcebergJdbcTableOperations
    {
        MetadataCachingOperations(FileIO fileIo, IcebergJdbcClient jdbcClient, ConnectorSession session, String database, String table, Optional<String> owner, Optional<String> location)
        {
            super(fileIo, jdbcClient, session, database, table, owner, location);
        }

        @Override
        protected void refreshFromMetadataLocation(String newLocation)
        {
            refreshFromMetadataLocation(newLocation, metadataLocation -> parsed(fileIo, metadataLocation));
        }
    }
}
