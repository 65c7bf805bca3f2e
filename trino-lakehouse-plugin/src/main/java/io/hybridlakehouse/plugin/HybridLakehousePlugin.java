package io.hybridlakehouse.plugin;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.hybridlakehouse.plugin.mv.DecimalAverageMerge;
import io.hybridlakehouse.plugin.statistics.HybridThetaSketchForStats;
import io.trino.spi.Plugin;
import io.trino.spi.connector.ConnectorFactory;

import java.util.Set;

public class HybridLakehousePlugin
        implements Plugin
{
    @Override
    public Iterable<ConnectorFactory> getConnectorFactories()
    {
        return ImmutableList.of(new HybridConnectorFactory());
    }

    @Override
    public Set<Class<?>> getFunctions()
    {
        return ImmutableSet.of(HybridThetaSketchForStats.class, DecimalAverageMerge.class);
    }
}
