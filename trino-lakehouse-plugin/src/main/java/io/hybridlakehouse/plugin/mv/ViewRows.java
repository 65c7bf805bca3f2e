package io.hybridlakehouse.plugin.mv;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.airlift.json.JsonCodec;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.SchemaTableName;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

import static com.google.common.collect.ImmutableList.toImmutableList;
import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static io.airlift.json.JsonCodec.jsonCodec;
import static io.trino.cache.CacheUtils.uncheckedCacheGet;

/**
 * The metastore rows of synchronous views, read and written inside the segment store's
 * transactions, so an INSERT's commit sees exactly the views registered before it.
 */
public final class ViewRows
{
    private static final JsonCodec<SynchronousView> CODEC = jsonCodec(SynchronousView.class);
    private static final String VIEW_COLUMNS = "v.schema_name, v.view_name, v.definition_json, v.building, v.rows_removed_before, v.rows_removed_keys, b.base_uuid";
    private static final String WITH_BASES = "LEFT JOIN hybrid_view_bases b ON b.schema_name = v.schema_name AND b.view_name = v.view_name";
    // Every query reads the rows of the views its tables connect to (see MetastoreSnapshot); a
    // definition changes only with its view, so its decoded form is kept by its text
    private static final Cache<String, SynchronousView> DECODED = CacheBuilder.newBuilder()
            .maximumSize(2_000)
            .build();

    private ViewRows() {}

    public static List<SynchronousView> all(Connection connection)
            throws SQLException
    {
        return read(connection, "SELECT definition_json, building FROM hybrid_materialized_views ORDER BY schema_name, view_name");
    }

    public static Optional<SynchronousView> get(Connection connection, SchemaTableName name)
            throws SQLException
    {
        return read(connection, "SELECT definition_json, building FROM hybrid_materialized_views WHERE schema_name = ? AND view_name = ?",
                name.getSchemaName(), name.getTableName()).stream().findFirst();
    }

    /**
     * Every view with its bases and coverage.
     */
    public static List<RegisteredView> registered(Connection connection)
            throws SQLException
    {
        return registered(connection, "SELECT %s FROM hybrid_materialized_views v %s".formatted(VIEW_COLUMNS, WITH_BASES), List.of());
    }

    /**
     * The views named one of {@code names} or maintained by a base of {@code baseUuids}, with
     * their bases and coverage: what a query's tables connect it to, read without the rest of
     * the catalog's views, so that the cost of a query does not grow with views it never meets.
     */
    public static List<RegisteredView> registeredConnectedTo(Connection connection, Collection<SchemaTableName> names, Collection<String> baseUuids)
            throws SQLException
    {
        // each part finds its views by an index (the primary key, the bases by base), where one
        // WHERE with both would test every view of the catalog
        List<String> parts = new ArrayList<>();
        List<String> parameters = new ArrayList<>();
        if (!names.isEmpty()) {
            parts.add("SELECT %s FROM hybrid_materialized_views v %s WHERE %s".formatted(VIEW_COLUMNS, WITH_BASES,
                    String.join(" OR ", Collections.nCopies(names.size(), "(v.schema_name = ? AND v.view_name = ?)"))));
            for (SchemaTableName name : names) {
                parameters.add(name.getSchemaName());
                parameters.add(name.getTableName());
            }
        }
        if (!baseUuids.isEmpty()) {
            parts.add(("SELECT %s FROM hybrid_view_bases m JOIN hybrid_materialized_views v ON v.schema_name = m.schema_name AND v.view_name = m.view_name %s " +
                    "WHERE m.base_uuid IN (%s)").formatted(VIEW_COLUMNS, WITH_BASES, String.join(", ", Collections.nCopies(baseUuids.size(), "?"))));
            parameters.addAll(baseUuids);
        }
        if (parts.isEmpty()) {
            return List.of();
        }
        return registered(connection, String.join(" UNION ALL ", parts), parameters);
    }

    /**
     * The views of rows of {@link #VIEW_COLUMNS}: one row per view and base (a view without
     * bases, one row with none), a view on several rows or in several parts of a query alike.
     */
    private static List<RegisteredView> registered(Connection connection, String sql, List<String> parameters)
            throws SQLException
    {
        Map<SchemaTableName, RegisteredView> views = new LinkedHashMap<>();
        Map<SchemaTableName, Set<String>> bases = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                statement.setString(i + 1, parameters.get(i));
            }
            try (ResultSet resultSet = statement.executeQuery()) {
                while (resultSet.next()) {
                    SchemaTableName name = new SchemaTableName(resultSet.getString(1), resultSet.getString(2));
                    if (!views.containsKey(name)) {
                        SynchronousView view = decoded(resultSet.getString(3));
                        boolean building = resultSet.getInt(4) != 0;
                        long removedBefore = resultSet.getLong(5);
                        Optional<Instant> rowsRemovedBefore = resultSet.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(removedBefore));
                        views.put(name, new RegisteredView(view.withState(view.stateTable(), building), Set.of(), rowsRemovedBefore, keys(resultSet.getString(6))));
                    }
                    String base = resultSet.getString(7);
                    if (base != null) {
                        bases.computeIfAbsent(name, _ -> new HashSet<>()).add(base);
                    }
                }
            }
        }
        return views.entrySet().stream()
                .map(entry -> {
                    RegisteredView view = entry.getValue();
                    return new RegisteredView(view.view(), bases.getOrDefault(entry.getKey(), Set.of()), view.rowsRemovedBefore(), view.rowsRemovedOnKeys());
                })
                .collect(toImmutableList());
    }

    /**
     * Records that retention removed rows before {@code before} from a view's base or from the view
     * itself, by the times of view key {@code key} (none: by times no view key gives).
     */
    public static void markRowsRemoved(Connection connection, SchemaTableName view, Instant before, Optional<String> key)
            throws SQLException
    {
        if (key.isPresent()) {
            Set<String> keys = new TreeSet<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT rows_removed_keys FROM hybrid_materialized_views WHERE schema_name = ? AND view_name = ?")) {
                statement.setString(1, view.getSchemaName());
                statement.setString(2, view.getTableName());
                try (ResultSet resultSet = statement.executeQuery()) {
                    if (resultSet.next()) {
                        keys.addAll(keys(resultSet.getString(1)));
                    }
                }
            }
            keys.add(key.get());
            try (PreparedStatement statement = connection.prepareStatement("UPDATE hybrid_materialized_views SET rows_removed_keys = ? WHERE schema_name = ? AND view_name = ?")) {
                statement.setString(1, String.join(",", keys));
                statement.setString(2, view.getSchemaName());
                statement.setString(3, view.getTableName());
                statement.executeUpdate();
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "UPDATE hybrid_materialized_views SET rows_removed_before = ? WHERE schema_name = ? AND view_name = ? AND (rows_removed_before IS NULL OR rows_removed_before < ?)")) {
            statement.setLong(1, before.toEpochMilli());
            statement.setString(2, view.getSchemaName());
            statement.setString(3, view.getTableName());
            statement.setLong(4, before.toEpochMilli());
            statement.executeUpdate();
        }
    }

    public static List<SynchronousView> ofBase(Connection connection, String baseUuid)
            throws SQLException
    {
        return read(connection, "SELECT v.definition_json, v.building FROM hybrid_materialized_views v JOIN hybrid_view_bases b " +
                "ON v.schema_name = b.schema_name AND v.view_name = b.view_name WHERE b.base_uuid = ? ORDER BY v.schema_name, v.view_name", baseUuid);
    }

    /**
     * The views that join {@code table} at write time as a dimension, and those whose dimensions
     * were never recorded (see {@link #put}), which may: what an INSERT into the table checks,
     * read without the rest of the catalog's views.
     */
    public static List<SynchronousView> joiningAsDimension(Connection connection, SchemaTableName table)
            throws SQLException
    {
        return read(connection, "SELECT v.definition_json, v.building FROM hybrid_materialized_views v " +
                        "WHERE v.dimensions_indexed IS NULL OR EXISTS (SELECT 1 FROM hybrid_view_dimensions d " +
                        "WHERE d.schema_name = v.schema_name AND d.view_name = v.view_name AND d.dimension_schema = ? AND d.dimension_table = ?) " +
                        "ORDER BY v.schema_name, v.view_name",
                table.getSchemaName(), table.getTableName());
    }

    /**
     * Records the dimensions of the views registered before they were recorded (see {@link #put})
     * and returns how many it recorded. A view registered again meanwhile has them already: its
     * row is only taken while it still holds the definition read.
     */
    public static int indexDimensions(Connection connection)
            throws SQLException
    {
        Map<SchemaTableName, String> unindexed = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT schema_name, view_name, definition_json FROM hybrid_materialized_views WHERE dimensions_indexed IS NULL ORDER BY schema_name, view_name");
                ResultSet resultSet = statement.executeQuery()) {
            while (resultSet.next()) {
                unindexed.put(new SchemaTableName(resultSet.getString(1), resultSet.getString(2)), resultSet.getString(3));
            }
        }
        int indexed = 0;
        for (Map.Entry<SchemaTableName, String> entry : unindexed.entrySet()) {
            Optional<Set<SchemaTableName>> dimensions = dimensionTables(decoded(entry.getValue()));
            if (dimensions.isEmpty()) {
                continue;
            }
            try (PreparedStatement statement = connection.prepareStatement(
                    "UPDATE hybrid_materialized_views SET dimensions_indexed = 1 WHERE schema_name = ? AND view_name = ? AND definition_json = ? AND dimensions_indexed IS NULL")) {
                statement.setString(1, entry.getKey().getSchemaName());
                statement.setString(2, entry.getKey().getTableName());
                statement.setString(3, entry.getValue());
                if (statement.executeUpdate() != 1) {
                    continue;
                }
            }
            insertDimensions(connection, entry.getKey(), dimensions.get());
            indexed++;
        }
        return indexed;
    }

    public static void put(Connection connection, SynchronousView view, List<String> baseUuids)
            throws SQLException
    {
        delete(connection, view.name());
        Optional<Set<SchemaTableName>> dimensions = dimensionTables(view);
        try (PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO hybrid_materialized_views (schema_name, view_name, definition_json, building, dimensions_indexed) VALUES (?, ?, ?, ?, ?)")) {
            statement.setString(1, view.name().getSchemaName());
            statement.setString(2, view.name().getTableName());
            statement.setString(3, CODEC.toJson(view));
            statement.setInt(4, view.building() ? 1 : 0);
            if (dimensions.isPresent()) {
                statement.setInt(5, 1);
            }
            else {
                statement.setNull(5, Types.INTEGER);
            }
            statement.executeUpdate();
        }
        insertDimensions(connection, view.name(), dimensions.orElse(Set.of()));
        for (String baseUuid : baseUuids.stream().distinct().toList()) {
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO hybrid_view_bases (schema_name, view_name, base_uuid) VALUES (?, ?, ?)")) {
                statement.setString(1, view.name().getSchemaName());
                statement.setString(2, view.name().getTableName());
                statement.setString(3, baseUuid);
                statement.executeUpdate();
            }
        }
    }

    private static void insertDimensions(Connection connection, SchemaTableName view, Set<SchemaTableName> dimensions)
            throws SQLException
    {
        for (SchemaTableName dimension : dimensions) {
            try (PreparedStatement statement = connection.prepareStatement(
                    "INSERT INTO hybrid_view_dimensions (schema_name, view_name, dimension_schema, dimension_table) VALUES (?, ?, ?, ?)")) {
                statement.setString(1, view.getSchemaName());
                statement.setString(2, view.getTableName());
                statement.setString(3, dimension.getSchemaName());
                statement.setString(4, dimension.getTableName());
                statement.executeUpdate();
            }
        }
    }

    public static void delete(Connection connection, SchemaTableName name)
            throws SQLException
    {
        for (String table : List.of("hybrid_materialized_views", "hybrid_view_bases", "hybrid_view_dimensions")) {
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM " + table + " WHERE schema_name = ? AND view_name = ?")) {
                statement.setString(1, name.getSchemaName());
                statement.setString(2, name.getTableName());
                statement.executeUpdate();
            }
        }
    }

    public static void setBuilding(Connection connection, SynchronousView view, boolean building)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement(
                "UPDATE hybrid_materialized_views SET definition_json = ?, building = ? WHERE schema_name = ? AND view_name = ?")) {
            statement.setString(1, CODEC.toJson(view.withState(view.stateTable(), building)));
            statement.setInt(2, building ? 1 : 0);
            statement.setString(3, view.name().getSchemaName());
            statement.setString(4, view.name().getTableName());
            statement.executeUpdate();
        }
    }

    /**
     * Records {@code owner} as the process building the view, renewed now; {@code creates} is
     * left as it is when empty (a build taken over is still the statement it was).
     */
    public static void claimBuild(Connection connection, SchemaTableName view, String owner, Optional<Boolean> creates)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement(creates.isPresent()
                ? "UPDATE hybrid_materialized_views SET build_owner = ?, build_renewed_at = ?, build_creates = ? WHERE schema_name = ? AND view_name = ?"
                : "UPDATE hybrid_materialized_views SET build_owner = ?, build_renewed_at = ? WHERE schema_name = ? AND view_name = ?")) {
            int parameter = 1;
            statement.setString(parameter++, owner);
            statement.setLong(parameter++, System.currentTimeMillis());
            if (creates.isPresent()) {
                statement.setInt(parameter++, creates.get() ? 1 : 0);
            }
            statement.setString(parameter++, view.getSchemaName());
            statement.setString(parameter, view.getTableName());
            statement.executeUpdate();
        }
    }

    public static void renewBuild(Connection connection, SchemaTableName view, String owner)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement(
                "UPDATE hybrid_materialized_views SET build_renewed_at = ? WHERE schema_name = ? AND view_name = ? AND building = 1 AND build_owner = ?")) {
            statement.setLong(1, System.currentTimeMillis());
            statement.setString(2, view.getSchemaName());
            statement.setString(3, view.getTableName());
            statement.setString(4, owner);
            statement.executeUpdate();
        }
    }

    public static List<AbandonedViewBuild> abandonedBuilds(Connection connection, Instant renewedBefore)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT definition_json, build_owner, build_renewed_at, build_creates FROM hybrid_materialized_views " +
                        "WHERE building = 1 AND (build_renewed_at IS NULL OR build_renewed_at < ?) ORDER BY schema_name, view_name")) {
            statement.setLong(1, renewedBefore.toEpochMilli());
            ImmutableList.Builder<AbandonedViewBuild> builds = ImmutableList.builder();
            try (ResultSet resultSet = statement.executeQuery()) {
                while (resultSet.next()) {
                    SynchronousView view = decoded(resultSet.getString(1));
                    Optional<String> owner = Optional.ofNullable(resultSet.getString(2));
                    long renewedAt = resultSet.getLong(3);
                    OptionalLong renewed = resultSet.wasNull() ? OptionalLong.empty() : OptionalLong.of(renewedAt);
                    boolean creates = resultSet.getInt(4) == 1;
                    builds.add(new AbandonedViewBuild(view.withState(view.stateTable(), true), creates, owner, renewed));
                }
            }
            return builds.build();
        }
    }

    public static boolean hasBuildingView(Connection connection, String baseUuid)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM hybrid_materialized_views v JOIN hybrid_view_bases b " +
                "ON v.schema_name = b.schema_name AND v.view_name = b.view_name WHERE b.base_uuid = ? AND v.building = 1")) {
            statement.setString(1, baseUuid);
            try (ResultSet resultSet = statement.executeQuery()) {
                resultSet.next();
                return resultSet.getLong(1) > 0;
            }
        }
    }

    /**
     * The tables the view joins at write time; none where this process cannot analyse its
     * definition, which leaves the view to every INSERT's dimension check.
     */
    private static Optional<Set<SchemaTableName>> dimensionTables(SynchronousView view)
    {
        try {
            return Optional.of(view.definition().branches().stream()
                    .flatMap(branch -> branch.dimensions().stream())
                    .map(view::dimensionTable)
                    .collect(toImmutableSet()));
        }
        catch (TrinoException e) {
            return Optional.empty();
        }
    }

    private static Set<String> keys(String commaSeparated)
    {
        return commaSeparated == null || commaSeparated.isEmpty() ? Set.of() : ImmutableSet.copyOf(Splitter.on(',').split(commaSeparated));
    }

    private static SynchronousView decoded(String json)
    {
        return uncheckedCacheGet(DECODED, json, () -> CODEC.fromJson(json));
    }

    private static List<SynchronousView> read(Connection connection, String sql, String... parameters)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            ImmutableList.Builder<SynchronousView> views = ImmutableList.builder();
            try (ResultSet resultSet = statement.executeQuery()) {
                while (resultSet.next()) {
                    SynchronousView view = decoded(resultSet.getString(1));
                    views.add(view.withState(view.stateTable(), resultSet.getInt(2) != 0));
                }
            }
            return views.build();
        }
    }
}
