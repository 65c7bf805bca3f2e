package io.hybridlakehouse.plugin.function;

import io.trino.spi.function.AggregationImplementation;
import io.trino.spi.function.BoundSignature;
import io.trino.spi.function.FunctionDependencies;
import io.trino.spi.function.FunctionId;
import io.trino.spi.function.FunctionProvider;
import io.trino.spi.function.InvocationConvention;
import io.trino.spi.function.ScalarFunctionImplementation;
import io.trino.spi.function.WindowFunctionSupplier;
import io.trino.spi.function.table.ConnectorTableFunctionHandle;
import io.trino.spi.function.table.TableFunctionProcessorProvider;
import io.trino.spi.function.table.TableFunctionProcessorProviderFactory;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Iceberg's functions, plus the processor of {@link WarmCacheTableFunction}.
 */
public class HybridFunctionProvider
        implements FunctionProvider
{
    private final Optional<FunctionProvider> iceberg;
    private final WarmCacheProcessorProvider warmCache;

    public HybridFunctionProvider(Optional<FunctionProvider> iceberg, WarmCacheProcessorProvider warmCache)
    {
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
        this.warmCache = requireNonNull(warmCache, "warmCache is null");
    }

    @Override
    public ScalarFunctionImplementation getScalarFunctionImplementation(FunctionId functionId, BoundSignature boundSignature, FunctionDependencies functionDependencies, InvocationConvention invocationConvention)
    {
        return iceberg().getScalarFunctionImplementation(functionId, boundSignature, functionDependencies, invocationConvention);
    }

    @Override
    public AggregationImplementation getAggregationImplementation(FunctionId functionId, BoundSignature boundSignature, FunctionDependencies functionDependencies)
    {
        return iceberg().getAggregationImplementation(functionId, boundSignature, functionDependencies);
    }

    @Override
    public WindowFunctionSupplier getWindowFunctionSupplier(FunctionId functionId, BoundSignature boundSignature, FunctionDependencies functionDependencies)
    {
        return iceberg().getWindowFunctionSupplier(functionId, boundSignature, functionDependencies);
    }

    @Override
    public TableFunctionProcessorProvider getTableFunctionProcessorProvider(ConnectorTableFunctionHandle functionHandle)
    {
        if (functionHandle instanceof WarmCacheFunctionHandle) {
            return warmCache;
        }
        return iceberg().getTableFunctionProcessorProvider(functionHandle);
    }

    @Override
    public TableFunctionProcessorProviderFactory getTableFunctionProcessorProviderFactory(ConnectorTableFunctionHandle functionHandle)
    {
        if (functionHandle instanceof WarmCacheFunctionHandle) {
            return () -> warmCache;
        }
        return iceberg().getTableFunctionProcessorProviderFactory(functionHandle);
    }

    private FunctionProvider iceberg()
    {
        return iceberg.orElseThrow(() -> new IllegalStateException("Iceberg provides no functions"));
    }
}
