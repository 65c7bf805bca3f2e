package io.hybridlakehouse.plugin.function;

import com.google.inject.Inject;
import io.airlift.slice.Slices;
import io.hybridlakehouse.plugin.cache.CacheWarmer;
import io.trino.spi.NodeManager;
import io.trino.spi.Page;
import io.trino.spi.PageBuilder;
import io.trino.spi.TrinoException;
import io.trino.spi.classloader.ThreadContextClassLoader;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplit;
import io.trino.spi.function.table.ConnectorTableFunctionHandle;
import io.trino.spi.function.table.TableFunctionProcessorProvider;
import io.trino.spi.function.table.TableFunctionProcessorState;
import io.trino.spi.function.table.TableFunctionSplitProcessor;

import java.io.IOException;
import java.util.List;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_WRITER_ERROR;
import static io.trino.spi.function.table.TableFunctionProcessorState.Finished.FINISHED;
import static io.trino.spi.function.table.TableFunctionProcessorState.Processed.produced;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.VarcharType.VARCHAR;
import static java.util.Objects.requireNonNull;

/**
 * Warms one file per split on the node running it and reports it as one row.
 */
public class WarmCacheProcessorProvider
        implements TableFunctionProcessorProvider
{
    private final CacheWarmer warmer;
    private final String nodeId;

    @Inject
    public WarmCacheProcessorProvider(CacheWarmer warmer, NodeManager nodeManager)
    {
        this.warmer = requireNonNull(warmer, "warmer is null");
        this.nodeId = nodeManager.getCurrentNode().getNodeIdentifier();
    }

    @Override
    public TableFunctionSplitProcessor getSplitProcessor(ConnectorSession session, ConnectorTableFunctionHandle handle, ConnectorSplit split)
    {
        WarmCacheSplit file = (WarmCacheSplit) split;
        return new TableFunctionSplitProcessor()
        {
            private boolean done;

            @Override
            public TableFunctionProcessorState process()
            {
                if (done) {
                    return FINISHED;
                }
                done = true;
                long bytes;
                try (ThreadContextClassLoader _ = new ThreadContextClassLoader(WarmCacheProcessorProvider.class.getClassLoader())) {
                    bytes = warmer.warm(session.getIdentity(), file.fileIoProperties(), List.of(file.path()));
                }
                catch (IOException e) {
                    throw new TrinoException(HYBRID_WRITER_ERROR, "Warming %s failed: %s".formatted(file.path(), e.getMessage()), e);
                }
                return produced(row(file.path(), bytes));
            }
        };
    }

    private Page row(String path, long bytes)
    {
        PageBuilder page = new PageBuilder(List.of(VARCHAR, VARCHAR, BIGINT));
        page.declarePosition();
        VARCHAR.writeSlice(page.getBlockBuilder(0), Slices.utf8Slice(nodeId));
        VARCHAR.writeSlice(page.getBlockBuilder(1), Slices.utf8Slice(path));
        BIGINT.writeLong(page.getBlockBuilder(2), bytes);
        return page.build();
    }
}
