package io.hybridlakehouse.plugin;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.airlift.log.Logger;
import io.trino.Session;
import io.trino.plugin.iceberg.IcebergPlugin;
import io.trino.plugin.tpch.TpchPlugin;
import io.trino.testing.DistributedQueryRunner;
import io.trino.testing.QueryRunner;
import io.trino.tpch.TpchTable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.airlift.testing.Closeables.closeAllSuppress;
import static io.trino.plugin.tpch.TpchMetadata.TINY_SCHEMA_NAME;
import static io.trino.testing.QueryAssertions.copyTpchTables;
import static io.trino.testing.TestingSession.testSessionBuilder;
import static java.util.Objects.requireNonNull;

/**
 * An in-process Trino with catalog {@code lakehouse} ({@code hybrid_lakehouse}) on the
 * embedded default and catalog {@code tpch}, for connector tests and as a dev server; and on
 * request catalog {@code iceberg}, the stock Iceberg connector on the same storage.
 */
public final class LakehouseQueryRunner
{
    public static final String CATALOG = "lakehouse";
    public static final String SCHEMA = "tpch";

    private LakehouseQueryRunner() {}

    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * {@code session} allowed to run {@code remove_orphan_files} with no retention: what tests
     * need to sweep the files a failure left just now.
     */
    public static Session withoutOrphanFileMinimum(Session session)
    {
        return Session.builder(session)
                .setCatalogSessionProperty(CATALOG, "remove_orphan_files_min_retention", "0s")
                .build();
    }

    /**
     * The name of a materialized view's state table (the {@code "_mv_..."} table its SHOW CREATE
     * names), which procedures such as {@code tier_table} and {@code compact_segments} take.
     */
    public static String stateTable(QueryRunner queryRunner, String view)
    {
        String sql = (String) queryRunner.execute("SHOW CREATE MATERIALIZED VIEW " + view).getOnlyValue();
        int start = sql.indexOf("\"_mv_");
        return sql.substring(start + 1, sql.indexOf('"', start + 1));
    }

    public static class Builder
            extends DistributedQueryRunner.Builder<Builder>
    {
        private Optional<Path> warehouse = Optional.empty();
        private final Map<String, String> catalogProperties = new HashMap<>();
        private List<TpchTable<?>> initialTables = ImmutableList.of();
        private boolean stockIceberg;

        protected Builder()
        {
            super(testSessionBuilder()
                    .setCatalog(CATALOG)
                    .setSchema(SCHEMA)
                    .build());
        }

        public Builder setWarehouse(Path warehouse)
        {
            this.warehouse = Optional.of(warehouse);
            return this;
        }

        public Builder addCatalogProperty(String key, String value)
        {
            catalogProperties.put(key, value);
            return this;
        }

        public Builder setInitialTables(Iterable<TpchTable<?>> initialTables)
        {
            this.initialTables = ImmutableList.copyOf(requireNonNull(initialTables, "initialTables is null"));
            return this;
        }

        /**
         * Adds catalog {@code iceberg}: the stock Iceberg connector, with its own file metastore,
         * on the warehouse's storage, to compare answers with and to prove other engines read
         * the cold tier.
         */
        public Builder withStockIcebergCatalog()
        {
            this.stockIceberg = true;
            return this;
        }

        @Override
        public DistributedQueryRunner build()
                throws Exception
        {
            DistributedQueryRunner queryRunner = super.build();
            try {
                queryRunner.installPlugin(new TpchPlugin());
                queryRunner.createCatalog("tpch", "tpch");

                Path warehouseDirectory = warehouse.orElse(queryRunner.getCoordinator().getBaseDataDir().resolve("lakehouse-warehouse"));
                Files.createDirectories(warehouseDirectory);
                queryRunner.installPlugin(new HybridLakehousePlugin());
                queryRunner.createCatalog(CATALOG, HybridConnectorFactory.CONNECTOR_NAME, ImmutableMap.<String, String>builder()
                        .put("hybrid.warehouse", warehouseDirectory.toString())
                        .putAll(catalogProperties)
                        .buildOrThrow());

                queryRunner.execute("CREATE SCHEMA IF NOT EXISTS %s.%s".formatted(CATALOG, SCHEMA));
                if (stockIceberg) {
                    queryRunner.installPlugin(new IcebergPlugin());
                    queryRunner.createCatalog("iceberg", "iceberg", ImmutableMap.of(
                            "iceberg.catalog.type", "TESTING_FILE_METASTORE",
                            "hive.metastore.catalog.dir", "local:///stock-metastore",
                            "iceberg.register-table-procedure.enabled", "true",
                            "fs.native-local.enabled", "true",
                            "local.location", warehouseDirectory.toString()));
                }
                copyTpchTables(queryRunner, "tpch", TINY_SCHEMA_NAME, initialTables);
                return queryRunner;
            }
            catch (Throwable e) {
                closeAllSuppress(e, queryRunner);
                throw e;
            }
        }
    }

    public static void main(String[] args)
            throws Exception
    {
        DistributedQueryRunner queryRunner = builder()
                .addCoordinatorProperty("http-server.http.port", "8080")
                .setInitialTables(TpchTable.getTables())
                .build();
        Logger log = Logger.get(LakehouseQueryRunner.class);
        log.info("======== SERVER STARTED ========");
        log.info("\n====\n%s\n====", queryRunner.getCoordinator().getBaseUrl());
    }
}
