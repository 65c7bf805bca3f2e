package io.hybridlakehouse.plugin.tiering;

import io.airlift.configuration.Config;
import io.airlift.configuration.ConfigDescription;
import io.airlift.units.DataSize;
import io.airlift.units.Duration;
import io.airlift.units.MaxDataSize;
import io.airlift.units.MinDataSize;
import io.airlift.units.MinDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.TimeUnit;

public class TieringConfig
{
    private boolean enabled = true;
    private Duration interval = new Duration(1, TimeUnit.MINUTES);
    private Duration defaultTierAfter = new Duration(1, TimeUnit.HOURS);
    private Duration gracePeriod = new Duration(10, TimeUnit.MINUTES);
    private DataSize writerMemory = DataSize.of(32, DataSize.Unit.MEGABYTE);
    private Duration orphanFileMinAge = new Duration(1, TimeUnit.DAYS);
    private Duration orphanFileSweepInterval = new Duration(6, TimeUnit.HOURS);
    private int coldCompactionFileThreshold = 10;
    private DataSize coldCompactionTargetFileSize = DataSize.of(128, DataSize.Unit.MEGABYTE);

    public boolean isEnabled()
    {
        return enabled;
    }

    @Config("hybrid.tiering.enabled")
    @ConfigDescription("Run the background service that tiers hot segments, applies retention and deletes unreferenced segment files")
    public TieringConfig setEnabled(boolean enabled)
    {
        this.enabled = enabled;
        return this;
    }

    @NotNull
    @MinDuration("1s")
    public Duration getInterval()
    {
        return interval;
    }

    @Config("hybrid.tiering.interval")
    @ConfigDescription("Pause between two runs of the background tiering service")
    public TieringConfig setInterval(Duration interval)
    {
        this.interval = interval;
        return this;
    }

    @NotNull
    public Duration getDefaultTierAfter()
    {
        return defaultTierAfter;
    }

    @Config("hybrid.tiering.default-tier-after")
    @ConfigDescription("Age at which hot segments move to Iceberg, for tables without a tier_after property")
    public TieringConfig setDefaultTierAfter(Duration defaultTierAfter)
    {
        this.defaultTierAfter = defaultTierAfter;
        return this;
    }

    @NotNull
    public Duration getGracePeriod()
    {
        return gracePeriod;
    }

    @Config("hybrid.segments.grace-period")
    @ConfigDescription("How long files of compacted or expired segments are kept after new queries stop reading them; longer than the longest query")
    public TieringConfig setGracePeriod(Duration gracePeriod)
    {
        this.gracePeriod = gracePeriod;
        return this;
    }

    @NotNull
    @MinDataSize("64kB")
    @MaxDataSize("1GB")
    public DataSize getWriterMemory()
    {
        return writerMemory;
    }

    @Config("hybrid.tiering.writer-memory")
    @ConfigDescription("Memory a tiering run may buffer while merging small segments into one Iceberg file (the Parquet row group size of that file)")
    public TieringConfig setWriterMemory(DataSize writerMemory)
    {
        this.writerMemory = writerMemory;
        return this;
    }

    @NotNull
    @MinDuration("1h")
    public Duration getOrphanFileMinAge()
    {
        return orphanFileMinAge;
    }

    @Config("hybrid.orphan-files.min-age")
    @ConfigDescription("Files nothing references are deleted once older than this; it must exceed the longest INSERT, compaction or tiering run, whose files are unreferenced until they commit")
    public TieringConfig setOrphanFileMinAge(Duration orphanFileMinAge)
    {
        this.orphanFileMinAge = orphanFileMinAge;
        return this;
    }

    @NotNull
    public Duration getOrphanFileSweepInterval()
    {
        return orphanFileSweepInterval;
    }

    @Config("hybrid.orphan-files.sweep-interval")
    @ConfigDescription("How often the tiering service looks for orphan files in each table (it lists the table's data and metadata folders)")
    public TieringConfig setOrphanFileSweepInterval(Duration orphanFileSweepInterval)
    {
        this.orphanFileSweepInterval = orphanFileSweepInterval;
        return this;
    }

    @Min(0)
    public int getColdCompactionFileThreshold()
    {
        return coldCompactionFileThreshold;
    }

    @Config("hybrid.cold-compaction.file-threshold")
    @ConfigDescription("After tiering a table, merge a partition's Iceberg data files of about the same size below the target size once there are more than this many of them; 0 turns it off")
    public TieringConfig setColdCompactionFileThreshold(int coldCompactionFileThreshold)
    {
        this.coldCompactionFileThreshold = coldCompactionFileThreshold;
        return this;
    }

    @NotNull
    @MinDataSize("1kB")
    public DataSize getColdCompactionTargetFileSize()
    {
        return coldCompactionTargetFileSize;
    }

    @Config("hybrid.cold-compaction.target-file-size")
    @ConfigDescription("Iceberg data files this large or larger are not merged in the background, and a merge writes at most about this much")
    public TieringConfig setColdCompactionTargetFileSize(DataSize coldCompactionTargetFileSize)
    {
        this.coldCompactionTargetFileSize = coldCompactionTargetFileSize;
        return this;
    }
}
