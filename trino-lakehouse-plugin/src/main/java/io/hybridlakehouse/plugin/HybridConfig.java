package io.hybridlakehouse.plugin;

import io.airlift.configuration.Config;
import io.airlift.configuration.ConfigDescription;
import io.airlift.configuration.ConfigSecuritySensitive;
import io.airlift.units.Duration;
import io.airlift.units.MinDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The catalog properties users write, in the connector's own terms. The wrapped Iceberg
 * connector's {@code iceberg.*} and {@code fs.*} properties are derived from these
 * (see {@link WrappedIcebergConfiguration}); experts may still set them directly.
 */
public class HybridConfig
{
    private String warehouse;
    private String metastoreUrl;
    private String metastoreUser;
    private String metastorePassword;
    private int compactionSegmentThreshold = 10;
    private long dimensionMaxRows = 1_000_000;
    private Duration viewBuildLease = new Duration(2, TimeUnit.MINUTES);
    private long coldPlanCacheMaxFiles = 20_000;

    @NotNull
    @Pattern(regexp = "^(/|file:/|local:/|s3://).*", message = "must be an absolute local path, a file:/ URI or an s3:// URI")
    public String getWarehouse()
    {
        return warehouse;
    }

    @Config("hybrid.warehouse")
    @ConfigDescription("Root of all table data: an absolute local path (e.g. /var/lib/lakehouse) or s3://bucket/path")
    public HybridConfig setWarehouse(String warehouse)
    {
        this.warehouse = warehouse;
        return this;
    }

    public Optional<String> getMetastoreUrl()
    {
        return Optional.ofNullable(metastoreUrl).filter(url -> !url.isBlank());
    }

    @Config("hybrid.metastore.url")
    @ConfigDescription("JDBC URL of the metadata database (PostgreSQL in production); empty means an embedded database file under the warehouse")
    public HybridConfig setMetastoreUrl(String metastoreUrl)
    {
        this.metastoreUrl = metastoreUrl;
        return this;
    }

    public Optional<String> getMetastoreUser()
    {
        return Optional.ofNullable(metastoreUser);
    }

    @Config("hybrid.metastore.user")
    public HybridConfig setMetastoreUser(String metastoreUser)
    {
        this.metastoreUser = metastoreUser;
        return this;
    }

    public Optional<String> getMetastorePassword()
    {
        return Optional.ofNullable(metastorePassword);
    }

    @Config("hybrid.metastore.password")
    @ConfigSecuritySensitive
    public HybridConfig setMetastorePassword(String metastorePassword)
    {
        this.metastorePassword = metastorePassword;
        return this;
    }

    @Min(0)
    public int getCompactionSegmentThreshold()
    {
        return compactionSegmentThreshold;
    }

    @Config("hybrid.compaction.segment-threshold")
    @ConfigDescription("Compact a partition's hot segments of about the same size in the background once it has more than this many of them; 0 turns automatic compaction off")
    public HybridConfig setCompactionSegmentThreshold(int compactionSegmentThreshold)
    {
        this.compactionSegmentThreshold = compactionSegmentThreshold;
        return this;
    }

    @Min(1)
    public long getDimensionMaxRows()
    {
        return dimensionMaxRows;
    }

    @Config("hybrid.materialized-views.dimension-max-rows")
    @ConfigDescription("Most rows a dimension table joined at write time by a materialized view may have; it is held in memory for INSERTs into the view's bases")
    public HybridConfig setDimensionMaxRows(long dimensionMaxRows)
    {
        this.dimensionMaxRows = dimensionMaxRows;
        return this;
    }

    @NotNull
    @MinDuration("1s")
    public Duration getViewBuildLease()
    {
        return viewBuildLease;
    }

    @Config("hybrid.materialized-views.build-lease")
    @ConfigDescription("A materialized view build (CREATE, REFRESH) no coordinator has renewed for this long was interrupted: the background service resumes it, or undoes a CREATE")
    public HybridConfig setViewBuildLease(Duration viewBuildLease)
    {
        this.viewBuildLease = viewBuildLease;
        return this;
    }

    @Min(0)
    public long getColdPlanCacheMaxFiles()
    {
        return coldPlanCacheMaxFiles;
    }

    @Config("hybrid.cold-plan-cache.max-files")
    @ConfigDescription("Most Iceberg data files the coordinator keeps in plans of recent cold scans, by snapshot and filter, so a repeated query on an unchanged table skips reading its manifests; 0 turns it off")
    public HybridConfig setColdPlanCacheMaxFiles(long coldPlanCacheMaxFiles)
    {
        this.coldPlanCacheMaxFiles = coldPlanCacheMaxFiles;
        return this;
    }
}
