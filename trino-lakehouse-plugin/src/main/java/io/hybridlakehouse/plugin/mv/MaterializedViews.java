package io.hybridlakehouse.plugin.mv;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.metadata.TableMode;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.NewSegment;
import io.hybridlakehouse.plugin.segment.Segment;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.statistics.ColumnSketches;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.spi.ErrorCodeSupplier;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ConnectorMaterializedViewDefinition;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableMetadata;
import io.trino.spi.connector.MaterializedViewFreshness;
import io.trino.spi.connector.SaveMode;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.type.TypeId;
import io.trino.spi.type.TypeManager;
import org.apache.iceberg.Table;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static com.google.common.collect.ImmutableList.toImmutableList;
import static com.google.common.collect.ImmutableMap.toImmutableMap;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_COMMIT_ERROR;
import static io.hybridlakehouse.plugin.mv.RowExpressions.unsupported;
import static io.trino.spi.StandardErrorCode.NOT_SUPPORTED;
import static io.trino.spi.connector.MaterializedViewFreshness.Freshness.STALE;
import static java.util.Objects.requireNonNull;

/**
 * Synchronous materialized views of one transaction: CREATE (validate, create the state
 * table, register, build from the bases), REFRESH, DROP, the definitions Trino reads, and
 * the maintenance an INSERT into a base commits with its rows.
 * <p>
 * Trino reads a view through the query its definition returns: while the view is built
 * that is the user's query over the bases; once built it is the merge of the state table
 * by key. The view is reported {@code STALE} so that Trino always runs that query (a
 * {@code FRESH} view would need a storage table holding final rows); its data is current
 * after every INSERT all the same.
 */
public final class MaterializedViews
{
    private static final Logger log = Logger.get(MaterializedViews.class);
    private static final int INSERT_ATTEMPTS = 3;

    /**
     * What this needs of the transaction's metadata.
     */
    public interface Tables
    {
        void createTable(ConnectorSession session, ConnectorTableMetadata table);

        void dropTable(ConnectorSession session, SchemaTableName table);

        Table icebergTable(ConnectorSession session, SchemaTableName table);

        Map<String, Object> tableProperties(ConnectorSession session, SchemaTableName table);
    }

    private final String catalogName;
    private final ViewDependents dependents;
    private final SegmentStore segmentStore;
    private final ViewMaintenance maintenance;
    private final TypeManager typeManager;
    private final Tables tables;
    private final ViewBuildLeases leases;

    public MaterializedViews(String catalogName, SegmentStore segmentStore, ViewMaintenance maintenance, ViewBuildLeases leases, TypeManager typeManager, Tables tables)
    {
        this.leases = requireNonNull(leases, "leases is null");
        this.catalogName = requireNonNull(catalogName, "catalogName is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.maintenance = requireNonNull(maintenance, "maintenance is null");
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
        this.tables = requireNonNull(tables, "tables is null");
        this.dependents = new ViewDependents(segmentStore);
    }

    /**
     * The statements the views forbid on their tables.
     */
    public ViewDependents dependents()
    {
        return dependents;
    }

    public Optional<SynchronousView> view(SchemaTableName name)
    {
        return segmentStore.view(name);
    }

    public List<SchemaTableName> list(Optional<String> schema)
    {
        return ImmutableList.copyOf(inSchema(schema).keySet());
    }

    /**
     * The views of the schema (all schemas when empty), by name.
     */
    public Map<SchemaTableName, SynchronousView> inSchema(Optional<String> schema)
    {
        Map<SchemaTableName, SynchronousView> views = new LinkedHashMap<>();
        segmentStore.views().stream()
                .filter(view -> schema.map(view.name().getSchemaName()::equals).orElse(true))
                .forEach(view -> views.put(view.name(), view));
        return views;
    }

    public static List<ConnectorMaterializedViewDefinition.Column> columns(SynchronousView view)
    {
        return view.columns().stream()
                .map(column -> new ConnectorMaterializedViewDefinition.Column(column.name(), TypeId.of(column.type()), Optional.empty()))
                .collect(toImmutableList());
    }

    public Optional<ConnectorMaterializedViewDefinition> definition(SchemaTableName name)
    {
        return view(name).map(this::definition);
    }

    public Map<SchemaTableName, ConnectorMaterializedViewDefinition> definitions(Optional<String> schema)
    {
        Map<SchemaTableName, ConnectorMaterializedViewDefinition> definitions = new LinkedHashMap<>();
        inSchema(schema).forEach((name, view) -> definitions.put(name, definition(view)));
        return definitions;
    }

    public ConnectorMaterializedViewDefinition definition(SynchronousView view)
    {
        String sql = view.building()
                ? view.definitionSql()
                : new ViewStateLayout(view, typeManager).mergeQuery(catalogName, view.stateTable().getSchemaName(), view.stateTable().getTableName(), view.columns());
        return new ConnectorMaterializedViewDefinition(
                sql,
                Optional.empty(),
                Optional.of(catalogName),
                Optional.of(view.name().getSchemaName()),
                columns(view),
                Optional.of(Duration.ZERO),
                view.comment(),
                view.owner(),
                ImmutableList.of());
    }

    public static MaterializedViewFreshness freshness()
    {
        return new MaterializedViewFreshness(STALE, Optional.empty());
    }

    public Map<String, Object> properties(ConnectorSession session, SchemaTableName name)
    {
        return view(name).map(view -> tables.tableProperties(session, view.stateTable())).orElse(ImmutableMap.of());
    }

    public void create(ConnectorSession session, SchemaTableName name, ConnectorMaterializedViewDefinition definition, Map<String, Object> properties, boolean replace, boolean ignoreExisting)
    {
        Optional<SynchronousView> existing = view(name);
        if (existing.isPresent()) {
            if (ignoreExisting) {
                return;
            }
            if (!replace) {
                throw new TrinoException(io.trino.spi.StandardErrorCode.ALREADY_EXISTS, "Materialized view already exists: " + name);
            }
        }
        SynchronousViewDefinition analyzed = MaterializedViewAnalyzer.analyze(definition.getOriginalSql());
        checkCatalogOfUnqualifiedNames(analyzed, definition.getCatalog());
        String defaultSchema = definition.getSchema().orElse(name.getSchemaName());
        List<SchemaTableName> bases = analyzed.branches().stream().map(branch -> resolve(branch.baseTable(), defaultSchema, catalogName)).toList();
        for (SynchronousViewDefinition.Branch branch : analyzed.branches()) {
            for (SynchronousViewDefinition.Dimension dimension : branch.dimensions()) {
                if (bases.contains(resolve(dimension.table(), defaultSchema, catalogName))) {
                    // a row's dimension row would be looked up before the INSERT that adds it commits
                    throw unsupported("the base table %s joined as a dimension: a dimension is another table".formatted(dimension.table()));
                }
            }
        }
        Map<SchemaTableName, Table> baseTables = hybridBases(session, bases);
        List<SynchronousView.ViewColumn> columns = definition.getColumns().stream()
                .map(column -> new SynchronousView.ViewColumn(column.getName(), column.getType().getId()))
                .collect(toImmutableList());
        SynchronousView view = new SynchronousView(
                name,
                definition.getOriginalSql(),
                definition.getComment(),
                Optional.of(session.getUser()),
                columns,
                defaultSchema,
                bases,
                stateTableName(name),
                true);
        maintenance.validate(session, view, baseTables);
        // a replaced view stays as it is until the new one is registered in its place
        build(session, view, properties, baseTables, existing.isPresent());
    }

    public void refresh(ConnectorSession session, SchemaTableName name)
    {
        SynchronousView current = view(name).orElseThrow(() -> new TrinoException(io.trino.spi.StandardErrorCode.TABLE_NOT_FOUND, "Materialized view not found: " + name));
        Map<SchemaTableName, Table> baseTables = hybridBases(session, current.bases());
        // the new state table gets a location of its own
        Map<String, Object> properties = tables.tableProperties(session, current.stateTable()).entrySet().stream()
                .filter(entry -> !entry.getKey().equals("location"))
                .collect(ImmutableMap.toImmutableMap(Map.Entry::getKey, Map.Entry::getValue));
        build(session, current.withState(stateTableName(name), true), properties, baseTables, true);
    }

    /**
     * Takes up a build its process abandoned (see {@link ViewBuildLeases}): a REFRESH or a
     * replacement is built again from the bases, as a REFRESH; a CREATE is undone, as its
     * statement failed. The caller holds the build's lease.
     */
    public void recover(ConnectorSession session, AbandonedViewBuild build)
    {
        SynchronousView view = build.view();
        if (build.creates()) {
            segmentStore.dropView(view.name(), Optional.of(view.stateTable()))
                    .ifPresent(dropped -> tables.dropTable(session, dropped.stateTable()));
            log.info("Undid the interrupted CREATE MATERIALIZED VIEW %s: the view and its state table %s are dropped", view.name(), view.stateTable());
            return;
        }
        log.info("Resuming the interrupted build of materialized view %s from its bases %s", view.name(), view.bases());
        refresh(session, view.name());
    }

    /**
     * Creates the state table, registers the view at its bases' versions and fills the state
     * from the rows visible at them; INSERTs committed after the registration maintain the
     * new state themselves, so no row is counted twice or missed.
     * <p>
     * The registration replaces the view it refreshes or replaces and retires that view's state
     * table, in one metastore transaction: a read that fetched the old definition goes on
     * reading the old state table, which the tiering service drops once
     * {@code hybrid.segments.grace-period} has passed. A failure before the registration leaves
     * the old view as it was; after it, the new view stays registered while being built, and
     * answers from its base tables until a REFRESH completes, as INSERTs keep its state exact
     * from the registration on. A build that another registration or a drop of the view
     * overtook commits nothing: the later statement decides what the view is.
     */
    private void build(ConnectorSession session, SynchronousView view, Map<String, Object> properties, Map<SchemaTableName, Table> baseTables, boolean replacing)
    {
        ViewStateLayout layout = new ViewStateLayout(view, typeManager);
        List<ColumnMetadata> stateColumns = layout.columns().stream()
                .map(column -> new ColumnMetadata(column.name(), column.type()))
                .collect(toImmutableList());
        tables.createTable(session, new ConnectorTableMetadata(view.stateTable(), stateColumns, withoutViewOnlyProperties(properties), Optional.of("State of materialized view " + view.name())));
        // renewed from the registration until the build ends; left to expire when it fails, so the background service takes the build up
        try (ViewBuildLeases.Lease _ = leases.hold(view.name())) {
            String stateUuid;
            Map<String, Long> versions;
            try {
                stateUuid = segmentStore.getTable(view.stateTable()).orElseThrow().tableUuid();
                List<String> baseUuids = view.bases().stream().map(base -> baseTables.get(base).uuid().toString()).toList();
                versions = segmentStore.registerView(view, baseUuids, new ViewBuildClaim(leases.owner(), !replacing));
            }
            catch (RuntimeException e) {
                tables.dropTable(session, view.stateTable());
                throw e;
            }
            fill(session, view, baseTables, replacing, stateUuid, versions);
        }
    }

    private void fill(ConnectorSession session, SynchronousView view, Map<SchemaTableName, Table> baseTables, boolean replacing, String stateUuid, Map<String, Long> versions)
    {
        List<NewSegment> written = ImmutableList.of();
        try {
            long start = System.nanoTime();
            written = maintenance.build(session, view, baseTables, versions);
            maintenance.beforeBuildCommit();
            segmentStore.finishViewBuild(view, stateUuid, written);
            log.info("Built materialized view %s from %s in %.1f s: %s state files", view.name(), view.bases(), (System.nanoTime() - start) / 1e9, written.size());
        }
        catch (SegmentStore.ViewSupersededException e) {
            // the statement that came after this one's registration decides what the view is; never read, this state goes
            maintenance.deleteQuietly(session, written);
            tables.dropTable(session, view.stateTable());
            throw new TrinoException(HYBRID_COMMIT_ERROR, "Building %s failed: %s; nothing of this build was kept. Run the statement again if it is still wanted".formatted(view.name(), e.getMessage()), e);
        }
        catch (RuntimeException e) {
            maintenance.deleteQuietly(session, written);
            if (replacing) {
                log.warn(e, "Building materialized view %s failed: it answers from its base tables until its build completes (the background service resumes it, or run REFRESH MATERIALIZED VIEW)", view.name());
                ErrorCodeSupplier errorCode = e instanceof TrinoException trinoException ? trinoException::getErrorCode : HYBRID_COMMIT_ERROR;
                throw new TrinoException(errorCode, ("Building materialized view %s failed: %s. The view answers from its base tables, correctly but without its stored state, until its build completes: " +
                        "the background service resumes it after hybrid.materialized-views.build-lease, or run REFRESH MATERIALIZED VIEW %s")
                        .formatted(view.name(), e.getMessage(), view.name()), e);
            }
            segmentStore.dropView(view.name(), Optional.of(view.stateTable()));
            tables.dropTable(session, view.stateTable());
            throw e;
        }
    }

    private static Map<String, Object> withoutViewOnlyProperties(Map<String, Object> properties)
    {
        return properties.entrySet().stream()
                .filter(entry -> entry.getValue() != null)
                .filter(entry -> !entry.getKey().equals("storage_schema"))
                .collect(ImmutableMap.toImmutableMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    public boolean drop(ConnectorSession session, SchemaTableName name)
    {
        Optional<SynchronousView> dropped = segmentStore.dropView(name, Optional.empty());
        dropped.ifPresent(view -> tables.dropTable(session, view.stateTable()));
        return dropped.isPresent();
    }

    /**
     * Refuses an INSERT into a table that views join as a dimension at write time where it would
     * give a join key a second row (see {@link ViewMaintenance#checkInsertedDimensionRows}).
     * Two concurrent INSERTs adding one key each pass; the next INSERT into a base of the view
     * refuses the duplicate then.
     */
    public void checkDimensionInsert(ConnectorSession session, SchemaTableName table, List<CommitTaskData> files)
    {
        Set<List<String>> checked = new HashSet<>();
        for (SynchronousView view : segmentStore.viewsJoiningAsDimension(table)) {
            for (SynchronousViewDefinition.Branch branch : view.definition().branches()) {
                for (SynchronousViewDefinition.Dimension dimension : branch.dimensions()) {
                    List<String> keyColumns = dimension.keys().stream().map(SynchronousViewDefinition.JoinKey::dimensionColumn).toList();
                    if (view.dimensionTable(dimension).equals(table) && checked.add(keyColumns)) {
                        maintenance.checkInsertedDimensionRows(session, view, dimension, files);
                    }
                }
            }
        }
    }

    /**
     * Commits an INSERT's segments together with the deltas of every view of the table, in one
     * metastore transaction; a view registered meanwhile makes it compute the deltas again.
     */
    public InsertCommit commitInsert(ConnectorSession session, SchemaTableName baseName, String baseUuid, List<NewSegment> segments, List<CommitTaskData> files, ColumnSketches sketches)
    {
        List<SynchronousView> views = segmentStore.viewsOfBase(baseUuid);
        if (segments.isEmpty()) {
            return new InsertCommit(segmentStore.commitInsert(baseUuid, segments, sketches), views);
        }
        // even without views the commit checks there are none yet: a view registered since was
        // built from the rows committed before it, so this INSERT must maintain it
        Optional<Table> base = Optional.empty();
        for (int attempt = 1; ; attempt++) {
            if (!views.isEmpty() && base.isEmpty()) {
                base = Optional.of(tables.icebergTable(session, baseName));
            }
            Map<String, List<NewSegment>> deltas = views.isEmpty() ? Map.of() : maintenance.insertDeltas(session, baseName, base.orElseThrow(), views, files);
            List<NewSegment> deltaFiles = deltas.values().stream().flatMap(List::stream).toList();
            Map<SchemaTableName, SchemaTableName> expected = views.stream().collect(toImmutableMap(SynchronousView::name, SynchronousView::stateTable));
            try {
                maintenance.beforeInsertCommit();
                return new InsertCommit(segmentStore.commitInsert(baseUuid, segments, sketches, deltas, expected), views);
            }
            catch (SegmentStore.ViewsChangedException e) {
                maintenance.deleteQuietly(session, deltaFiles);
                if (attempt >= INSERT_ATTEMPTS) {
                    throw new TrinoException(HYBRID_COMMIT_ERROR, "INSERT into %s failed: %s; run it again".formatted(baseName, e.getMessage()), e);
                }
                views = segmentStore.viewsOfBase(baseUuid);
            }
            catch (RuntimeException e) {
                maintenance.deleteQuietly(session, deltaFiles);
                throw e;
            }
        }
    }

    /**
     * An INSERT's committed segments and the views it maintained.
     */
    public record InsertCommit(List<Segment> segments, List<SynchronousView> views) {}

    /**
     * Refuses changing the columns of a base or dimension of a view so that its INSERTs could no
     * longer maintain it, before anything changes: every later INSERT into its bases would fail.
     *
     * @param change the table's top-level columns once the change is made, from the current ones
     */
    public void checkColumnChange(ConnectorSession session, SchemaTableName table, String operation, UnaryOperator<List<ColumnMetadata>> change)
    {
        checkColumns(session, table, change, (view, e) -> new TrinoException(NOT_SUPPORTED, "Cannot run %s on %s: materialized view %s reads it at each INSERT and could no longer be maintained (%s). Drop the view first (and create it again afterwards)"
                .formatted(operation, table, view.name(), RowExpressions.unsupportedWhat(e)), e));
    }

    /**
     * Refuses changing a field of a row column (adding, dropping or renaming it; Iceberg has no retyping of fields) of a
     * base or dimension of a view that reads the column: nested types are not followed, so a view
     * that could not be maintained without the column refuses any change inside it.
     */
    public void checkNestedFieldChange(ConnectorSession session, SchemaTableName table, String column, String operation)
    {
        checkColumns(session, table, columns -> columns.stream().filter(existing -> !existing.getName().equals(column)).toList(),
                (view, e) -> new TrinoException(NOT_SUPPORTED, "Cannot run %s on %s: materialized view %s reads its column %s at each INSERT, whose fields do not change while the view exists. Drop the view first (and create it again afterwards)"
                        .formatted(operation, table, view.name(), column), e));
    }

    /**
     * Builds, for each view reading the table, its maintenance against the table's columns once
     * changed, and throws the refusal for the first view that could no longer be maintained.
     */
    private void checkColumns(ConnectorSession session, SchemaTableName table, UnaryOperator<List<ColumnMetadata>> change, BiFunction<SynchronousView, TrinoException, TrinoException> refusal)
    {
        List<SynchronousView> reading = segmentStore.views().stream()
                .filter(view -> view.bases().contains(table) || dependents.joinsAsDimension(view, table))
                .toList();
        if (reading.isEmpty()) {
            return;
        }
        List<ColumnMetadata> columnsAfter = change.apply(maintenance.columns(tables.icebergTable(session, table)));
        for (SynchronousView view : reading) {
            try {
                maintenance.validateColumnChange(session, view, hybridBases(session, view.bases().stream().distinct().toList()), table, columnsAfter);
            }
            catch (TrinoException e) {
                throw refusal.apply(view, e);
            }
        }
    }

    private Map<SchemaTableName, Table> hybridBases(ConnectorSession session, List<SchemaTableName> bases)
    {
        Map<SchemaTableName, Table> tables = new LinkedHashMap<>();
        for (SchemaTableName base : bases) {
            tables.put(base, hybridBase(session, base));
        }
        return tables;
    }

    private Table hybridBase(ConnectorSession session, SchemaTableName base)
    {
        Table table;
        try {
            table = tables.icebergTable(session, base);
        }
        catch (TrinoException e) {
            throw unsupported("the base table %s, which does not exist in catalog %s".formatted(base, catalogName));
        }
        Optional<HybridTableState> state = segmentStore.getTable(table.uuid().toString());
        if (state.isEmpty() || state.get().mode() != TableMode.HYBRID) {
            throw unsupported("the base table %s, which is not in hybrid mode: synchronous views are maintained by hot-tier INSERTs (ALTER TABLE ... SET PROPERTIES mode = 'hybrid')".formatted(base));
        }
        if (SynchronousView.isStateTable(base)) {
            throw unsupported("a view over the state of another view (%s)".formatted(base));
        }
        return table;
    }

    /**
     * Trino resolves a table name without its catalog in the session's catalog: where that is
     * another one, the view's query reads tables of that catalog, which no INSERT here maintains.
     */
    private void checkCatalogOfUnqualifiedNames(SynchronousViewDefinition definition, Optional<String> sessionCatalog)
    {
        if (sessionCatalog.isEmpty() || sessionCatalog.get().equals(catalogName)) {
            return;
        }
        definition.branches().stream()
                .flatMap(branch -> Stream.concat(Stream.of(branch.baseTable()), branch.dimensions().stream().map(SynchronousViewDefinition.Dimension::table)))
                .filter(table -> table.split("\\.").length < 3)
                .findFirst()
                .ifPresent(table -> {
                    throw unsupported("the table %s, which names no catalog while the session's catalog is %s: a synchronous view reads tables of its own catalog, name them %s.<schema>.<table>".formatted(table, sessionCatalog.get(), catalogName));
                });
    }

    public static SchemaTableName resolve(String qualifiedName, String defaultSchema, String catalogName)
    {
        List<String> parts = nameParts(qualifiedName);
        if (parts.size() == 3 && !parts.get(0).equals(catalogName)) {
            throw unsupported("the table %s of catalog %s: a synchronous view reads tables of its own catalog %s".formatted(qualifiedName, parts.get(0), catalogName));
        }
        return tableName(qualifiedName, parts, defaultSchema);
    }

    /**
     * A table named by the definition of a registered view. A catalog in the name is the one the
     * view was created in (checked then), whose metastore this is: the server may reach the same
     * metastore through catalogs of other names too, as a catalog with the cache off does.
     */
    static SchemaTableName resolveRegistered(String qualifiedName, String defaultSchema)
    {
        return tableName(qualifiedName, nameParts(qualifiedName), defaultSchema);
    }

    private static List<String> nameParts(String qualifiedName)
    {
        return List.of(qualifiedName.toLowerCase(Locale.ROOT).replace("\"", "").split("\\."));
    }

    private static SchemaTableName tableName(String qualifiedName, List<String> parts, String defaultSchema)
    {
        return switch (parts.size()) {
            case 1 -> new SchemaTableName(defaultSchema, parts.get(0));
            case 2 -> new SchemaTableName(parts.get(0), parts.get(1));
            case 3 -> new SchemaTableName(parts.get(1), parts.get(2));
            default -> throw unsupported("the table name " + qualifiedName);
        };
    }

    private static SchemaTableName stateTableName(SchemaTableName view)
    {
        return new SchemaTableName(view.getSchemaName(), SynchronousView.STATE_TABLE_PREFIX + view.getTableName() + "_" + Long.toString(System.currentTimeMillis(), 36));
    }
}
