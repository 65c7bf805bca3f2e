package io.hybridlakehouse.plugin.function;

import com.google.inject.Inject;
import com.google.inject.Provider;
import io.hybridlakehouse.plugin.cache.CacheWarmer;
import io.hybridlakehouse.plugin.cache.WarmCacheFiles;
import io.trino.plugin.base.classloader.ClassLoaderSafeConnectorTableFunction;
import io.trino.spi.function.table.ConnectorTableFunction;

import static java.util.Objects.requireNonNull;

public class WarmCacheTableFunctionProvider
        implements Provider<ConnectorTableFunction>
{
    private final WarmCacheFiles files;
    private final CacheWarmer warmer;

    @Inject
    public WarmCacheTableFunctionProvider(WarmCacheFiles files, CacheWarmer warmer)
    {
        this.files = requireNonNull(files, "files is null");
        this.warmer = requireNonNull(warmer, "warmer is null");
    }

    @Override
    public ConnectorTableFunction get()
    {
        return new ClassLoaderSafeConnectorTableFunction(new WarmCacheTableFunction(files, warmer), getClass().getClassLoader());
    }
}
