package io.hybridlakehouse.plugin;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.inject.Inject;
import com.google.inject.Injector;
import io.hybridlakehouse.plugin.function.HybridFunctionProvider;
import io.hybridlakehouse.plugin.function.WarmCacheProcessorProvider;
import io.hybridlakehouse.plugin.metadata.HybridTableProperties;
import io.hybridlakehouse.plugin.metadata.HybridTransactionManager;
import io.hybridlakehouse.plugin.procedure.HotTierTableProcedures;
import io.hybridlakehouse.plugin.procedure.CheckedIcebergProcedures;
import io.hybridlakehouse.plugin.split.HybridNodePartitioningProvider;
import io.hybridlakehouse.plugin.split.HybridPageSourceProviderFactory;
import io.hybridlakehouse.plugin.split.HybridSplitManager;
import io.hybridlakehouse.plugin.write.HybridPageSinkProvider;
import io.trino.plugin.iceberg.IcebergConnector;
import io.trino.spi.connector.Connector;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorCapabilities;
import io.trino.spi.connector.ConnectorMetadata;
import io.trino.spi.connector.ConnectorNodePartitioningProvider;
import io.trino.spi.connector.ConnectorPageSinkProvider;
import io.trino.spi.connector.ConnectorPageSourceProviderFactory;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplitManager;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.SystemTable;
import io.trino.spi.connector.TableProcedureMetadata;
import io.trino.spi.function.FunctionProvider;
import io.trino.spi.function.table.ConnectorTableFunction;
import io.trino.spi.procedure.Procedure;
import io.trino.spi.session.PropertyMetadata;
import io.trino.spi.transaction.IsolationLevel;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The catalog's connector: Iceberg's connector for the cold tier, with the hybrid concerns
 * layered over the SPI roles they change. Every role not changed here is Iceberg's own.
 */
public class HybridConnector
        implements Connector
{
    private final Connector iceberg;
    private final HybridTransactionManager transactions;
    private final HybridSplitManager splitManager;
    private final HybridPageSourceProviderFactory pageSourceProviderFactory;
    private final ConnectorPageSinkProvider pageSinkProvider;
    private final ConnectorNodePartitioningProvider nodePartitioningProvider;
    private final List<PropertyMetadata<?>> tableProperties;
    private final Set<Procedure> procedures;
    private final Injector injector;

    @Inject
    public HybridConnector(
            Injector injector,
            IcebergConnector iceberg,
            HybridTransactionManager transactions,
            HybridSplitManager splitManager,
            HybridPageSourceProviderFactory pageSourceProviderFactory,
            CheckedIcebergProcedures checkedIcebergProcedures)
    {
        this.injector = requireNonNull(injector, "injector is null");
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
        this.transactions = requireNonNull(transactions, "transactions is null");
        this.splitManager = requireNonNull(splitManager, "splitManager is null");
        this.pageSourceProviderFactory = requireNonNull(pageSourceProviderFactory, "pageSourceProviderFactory is null");
        this.pageSinkProvider = new HybridPageSinkProvider(iceberg.getPageSinkProvider());
        this.nodePartitioningProvider = new HybridNodePartitioningProvider(iceberg.getNodePartitioningProvider());
        this.tableProperties = ImmutableList.<PropertyMetadata<?>>builder()
                .addAll(iceberg.getTableProperties())
                .addAll(HybridTableProperties.properties())
                .build();
        this.procedures = checkedIcebergProcedures.checked(iceberg.getProcedures());
    }

    @Override
    public Set<ConnectorCapabilities> getCapabilities()
    {
        return iceberg.getCapabilities();
    }

    @Override
    public ConnectorTransactionHandle beginTransaction(IsolationLevel isolationLevel, boolean readOnly, boolean autoCommit)
    {
        return iceberg.beginTransaction(isolationLevel, readOnly, autoCommit);
    }

    @Override
    public ConnectorMetadata getMetadata(ConnectorSession session, ConnectorTransactionHandle transaction)
    {
        return transactions.get(transaction, session);
    }

    @Override
    public void commit(ConnectorTransactionHandle transaction)
    {
        transactions.remove(transaction);
        iceberg.commit(transaction);
    }

    @Override
    public void rollback(ConnectorTransactionHandle transaction)
    {
        transactions.remove(transaction);
        iceberg.rollback(transaction);
    }

    @Override
    public ConnectorSplitManager getSplitManager()
    {
        return splitManager;
    }

    @Override
    public ConnectorPageSourceProviderFactory getPageSourceProviderFactory()
    {
        return pageSourceProviderFactory;
    }

    @Override
    public ConnectorPageSinkProvider getPageSinkProvider()
    {
        return pageSinkProvider;
    }

    @Override
    public ConnectorNodePartitioningProvider getNodePartitioningProvider()
    {
        return nodePartitioningProvider;
    }

    @Override
    public Set<Procedure> getProcedures()
    {
        return procedures;
    }

    @Override
    public Set<TableProcedureMetadata> getTableProcedures()
    {
        return ImmutableSet.<TableProcedureMetadata>builder()
                .addAll(iceberg.getTableProcedures())
                .addAll(HotTierTableProcedures.metadata())
                .build();
    }

    @Override
    public Set<ConnectorTableFunction> getTableFunctions()
    {
        return iceberg.getTableFunctions();
    }

    @Override
    public Optional<FunctionProvider> getFunctionProvider()
    {
        return Optional.of(new HybridFunctionProvider(iceberg.getFunctionProvider(), injector.getInstance(WarmCacheProcessorProvider.class)));
    }

    @Override
    public Set<SystemTable> getSystemTables()
    {
        return iceberg.getSystemTables();
    }

    @Override
    public List<PropertyMetadata<?>> getSessionProperties()
    {
        return iceberg.getSessionProperties();
    }

    @Override
    public List<PropertyMetadata<?>> getSchemaProperties()
    {
        return iceberg.getSchemaProperties();
    }

    @Override
    public List<PropertyMetadata<?>> getTableProperties()
    {
        return tableProperties;
    }

    @Override
    public List<PropertyMetadata<?>> getMaterializedViewProperties()
    {
        // a synchronous view keeps its state in a hybrid table: it takes the properties of one
        return tableProperties;
    }

    @Override
    public List<PropertyMetadata<?>> getAnalyzeProperties()
    {
        return iceberg.getAnalyzeProperties();
    }

    @Override
    public ConnectorAccessControl getAccessControl()
    {
        return iceberg.getAccessControl();
    }

    @VisibleForTesting
    public Injector getInjector()
    {
        return injector;
    }

    @Override
    public void shutdown()
    {
        iceberg.shutdown();
    }
}
