package io.hybridlakehouse.plugin.function;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.airlift.slice.SizeOf;
import io.trino.spi.HostAddress;
import io.trino.spi.connector.ConnectorSplit;

import java.util.List;
import java.util.Map;

import static io.airlift.slice.SizeOf.estimatedSizeOf;
import static io.airlift.slice.SizeOf.instanceSize;
import static java.util.Objects.requireNonNull;

/**
 * One file to warm, preferring the node that caches it, as scans of the file do.
 */
public record WarmCacheSplit(String path, long length, Map<String, String> fileIoProperties, List<HostAddress> addresses)
        implements ConnectorSplit
{
    private static final int INSTANCE_SIZE = instanceSize(WarmCacheSplit.class);

    public WarmCacheSplit
    {
        requireNonNull(path, "path is null");
        fileIoProperties = ImmutableMap.copyOf(fileIoProperties);
        addresses = ImmutableList.copyOf(addresses);
    }

    @Override
    public List<HostAddress> getAddresses()
    {
        return addresses;
    }

    @Override
    public long getRetainedSizeInBytes()
    {
        return INSTANCE_SIZE
                + estimatedSizeOf(path)
                + estimatedSizeOf(fileIoProperties, SizeOf::estimatedSizeOf, SizeOf::estimatedSizeOf)
                + estimatedSizeOf(addresses, HostAddress::getRetainedSizeInBytes);
    }
}
