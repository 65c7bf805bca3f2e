package io.hybridlakehouse.plugin.metastore;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.reflect.Reflection;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import static java.util.Objects.requireNonNull;

/**
 * Prepared statements kept per connection of the embedded database and handed out again for
 * the same SQL. SQLite's driver compiles a statement on every {@code prepareStatement}, and
 * every query reads the segment metastore: the compiling was most of that read's cost (about
 * 0.2 ms of CPU of 0.3 per query). PostgreSQL's driver keeps its own server-side statements.
 * <p>
 * The connection handed to a metastore action is a view of a pooled connection whose
 * {@code prepareStatement(sql)} returns the connection's statement for that SQL when it is not
 * in use. Closing it closes its result sets, which resets the SQLite statement (an unreset
 * statement would keep the connection's read snapshot open, so later reads would not see later
 * commits), and clears its parameters and batch. A statement whose own settings were changed
 * ({@code setMaxRows} and the like) is closed for real, never handed on with them.
 */
final class StatementCache
{
    private static final int STATEMENTS_PER_CONNECTION = 64;
    private static final Set<String> STATEMENT_SETTINGS = Set.of(
            "setMaxRows", "setLargeMaxRows", "setQueryTimeout", "setFetchSize", "setFetchDirection",
            "setMaxFieldSize", "setEscapeProcessing", "setPoolable", "setCursorName", "closeOnCompletion");

    // weak keys compare by identity: a connection the pool closed and dropped takes its statements with it
    private final Cache<Connection, ConnectionStatements> connections = CacheBuilder.newBuilder().weakKeys().build();

    /**
     * The connection as metastore actions use it, with its statements reused. Like the pooled
     * connection itself, it is used by one thread at a time.
     */
    Connection wrap(Connection connection)
    {
        ConnectionStatements statements;
        try {
            statements = connections.get(connection, () -> new ConnectionStatements(connection));
        }
        catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return Reflection.newProxy(Connection.class, (_, method, arguments) -> {
            if (method.getName().equals("prepareStatement") && method.getParameterCount() == 1) {
                return statements.prepare((String) arguments[0]);
            }
            return invoke(connection, method, arguments);
        });
    }

    private static Object invoke(Object target, Method method, Object[] arguments)
            throws Throwable
    {
        try {
            return method.invoke(target, arguments);
        }
        catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static final class ConnectionStatements
    {
        private final Connection connection;
        // least recently used first
        private final LinkedHashMap<String, PreparedStatement> idle = new LinkedHashMap<>(16, 0.75f, true);

        ConnectionStatements(Connection connection)
        {
            this.connection = requireNonNull(connection, "connection is null");
        }

        PreparedStatement prepare(String sql)
                throws SQLException
        {
            // a statement in use (the same SQL run inside a loop over its own results) is not idle: that use gets one of its own
            PreparedStatement statement = idle.remove(sql);
            if (statement == null || statement.isClosed()) {
                statement = connection.prepareStatement(sql);
            }
            return Reflection.newProxy(PreparedStatement.class, new Lease(this, sql, statement));
        }

        void giveBack(String sql, PreparedStatement statement)
                throws SQLException
        {
            PreparedStatement replaced = idle.put(sql, statement);
            if (replaced != null) {
                replaced.close();
            }
            if (idle.size() > STATEMENTS_PER_CONNECTION) {
                Map.Entry<String, PreparedStatement> eldest = idle.entrySet().iterator().next();
                idle.remove(eldest.getKey());
                eldest.getValue().close();
            }
        }
    }

    /**
     * One use of a statement, from {@code prepareStatement} to {@code close}.
     */
    private static final class Lease
            implements InvocationHandler
    {
        private final ConnectionStatements owner;
        private final String sql;
        private final PreparedStatement statement;
        private ResultSet lastResultSet;
        private boolean settingsChanged;
        private boolean closed;

        Lease(ConnectionStatements owner, String sql, PreparedStatement statement)
        {
            this.owner = owner;
            this.sql = sql;
            this.statement = statement;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] arguments)
                throws Throwable
        {
            String name = method.getName();
            if (name.equals("close")) {
                close();
                return null;
            }
            if (name.equals("isClosed")) {
                return closed;
            }
            if (closed) {
                throw new SQLException("Statement is closed");
            }
            if (STATEMENT_SETTINGS.contains(name)) {
                settingsChanged = true;
            }
            Object result = StatementCache.invoke(statement, method, arguments);
            if (result instanceof ResultSet resultSet) {
                lastResultSet = resultSet;
            }
            return result;
        }

        private void close()
                throws SQLException
        {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (lastResultSet != null) {
                    lastResultSet.close();
                }
                if (settingsChanged || statement.isClosed()) {
                    statement.close();
                    return;
                }
                statement.clearParameters();
                statement.clearBatch();
            }
            catch (SQLException | RuntimeException e) {
                statement.close();
                throw e;
            }
            owner.giveBack(sql, statement);
        }
    }
}
