package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The TPC-H join queries whose plans depend most on the cost-based optimizer (join order and
 * broadcast or partitioned joins from row counts and distinct-value counts), and the shape of
 * a distributed plan: what makes two plans the same plan whatever the catalog, the symbol
 * numbering and the estimates.
 */
public final class TpchPlanComparison
{
    public static final List<String> TABLES = List.of("customer", "orders", "lineitem", "supplier", "nation", "region", "part", "partsupp");

    /**
     * A TPC-H query in the form of Trino's own TPC-H benchmark queries (the column names of the
     * {@code tpch} catalog, without TPC-H's prefixes), with the standard substitution parameters.
     */
    public record Query(String name, String template)
    {
        public Query
        {
            requireNonNull(name, "name is null");
            requireNonNull(template, "template is null");
        }

        /**
         * @param schema the qualified schema of the tables, {@code catalog.schema}
         */
        public String sql(String schema)
        {
            return template.replace("${schema}", schema);
        }
    }

    public static final List<Query> QUERIES = List.of(
            new Query("Q5", """
                    SELECT
                      n.name,
                      sum(l.extendedprice * (1 - l.discount)) AS revenue
                    FROM
                      ${schema}.customer AS c,
                      ${schema}.orders AS o,
                      ${schema}.lineitem AS l,
                      ${schema}.supplier AS s,
                      ${schema}.nation AS n,
                      ${schema}.region AS r
                    WHERE
                      c.custkey = o.custkey
                      AND l.orderkey = o.orderkey
                      AND l.suppkey = s.suppkey
                      AND c.nationkey = s.nationkey
                      AND s.nationkey = n.nationkey
                      AND n.regionkey = r.regionkey
                      AND r.name = 'ASIA'
                      AND o.orderdate >= DATE '1994-01-01'
                      AND o.orderdate < DATE '1994-01-01' + INTERVAL '1' YEAR
                    GROUP BY
                      n.name
                    ORDER BY
                      revenue DESC
                    """),
            new Query("Q7", """
                    SELECT
                      supp_nation,
                      cust_nation,
                      l_year,
                      sum(volume) AS revenue
                    FROM (
                      SELECT
                        n1.name AS supp_nation,
                        n2.name AS cust_nation,
                        extract(YEAR FROM l.shipdate) AS l_year,
                        l.extendedprice * (1 - l.discount) AS volume
                      FROM
                        ${schema}.supplier AS s,
                        ${schema}.lineitem AS l,
                        ${schema}.orders AS o,
                        ${schema}.customer AS c,
                        ${schema}.nation AS n1,
                        ${schema}.nation AS n2
                      WHERE
                        s.suppkey = l.suppkey
                        AND o.orderkey = l.orderkey
                        AND c.custkey = o.custkey
                        AND s.nationkey = n1.nationkey
                        AND c.nationkey = n2.nationkey
                        AND (
                          (n1.name = 'FRANCE' AND n2.name = 'GERMANY')
                          OR (n1.name = 'GERMANY' AND n2.name = 'FRANCE')
                        )
                        AND l.shipdate BETWEEN DATE '1995-01-01' AND DATE '1996-12-31'
                    ) AS shipping
                    GROUP BY
                      supp_nation,
                      cust_nation,
                      l_year
                    ORDER BY
                      supp_nation,
                      cust_nation,
                      l_year
                    """),
            new Query("Q8", """
                    SELECT
                      o_year,
                      sum(CASE
                          WHEN nation = 'BRAZIL' THEN volume
                          ELSE 0
                          END) / sum(volume) AS mkt_share
                    FROM (
                      SELECT
                        extract(YEAR FROM o.orderdate) AS o_year,
                        l.extendedprice * (1 - l.discount) AS volume,
                        n2.name AS nation
                      FROM
                        ${schema}.part AS p,
                        ${schema}.supplier AS s,
                        ${schema}.lineitem AS l,
                        ${schema}.orders AS o,
                        ${schema}.customer AS c,
                        ${schema}.nation AS n1,
                        ${schema}.nation AS n2,
                        ${schema}.region AS r
                      WHERE
                        p.partkey = l.partkey
                        AND s.suppkey = l.suppkey
                        AND l.orderkey = o.orderkey
                        AND o.custkey = c.custkey
                        AND c.nationkey = n1.nationkey
                        AND n1.regionkey = r.regionkey
                        AND r.name = 'AMERICA'
                        AND s.nationkey = n2.nationkey
                        AND o.orderdate BETWEEN DATE '1995-01-01' AND DATE '1996-12-31'
                        AND p.type = 'ECONOMY ANODIZED STEEL'
                    ) AS all_nations
                    GROUP BY
                      o_year
                    ORDER BY
                      o_year
                    """),
            new Query("Q9", """
                    SELECT
                      nation,
                      o_year,
                      sum(amount) AS sum_profit
                    FROM (
                      SELECT
                        n.name AS nation,
                        extract(YEAR FROM o.orderdate) AS o_year,
                        l.extendedprice * (1 - l.discount) - ps.supplycost * l.quantity AS amount
                      FROM
                        ${schema}.part AS p,
                        ${schema}.supplier AS s,
                        ${schema}.lineitem AS l,
                        ${schema}.partsupp AS ps,
                        ${schema}.orders AS o,
                        ${schema}.nation AS n
                      WHERE
                        s.suppkey = l.suppkey
                        AND ps.suppkey = l.suppkey
                        AND ps.partkey = l.partkey
                        AND p.partkey = l.partkey
                        AND o.orderkey = l.orderkey
                        AND s.nationkey = n.nationkey
                        AND p.name LIKE '%green%'
                    ) AS profit
                    GROUP BY
                      nation,
                      o_year
                    ORDER BY
                      nation,
                      o_year DESC
                    """),
            new Query("Q18", """
                    SELECT
                      c.name,
                      c.custkey,
                      o.orderkey,
                      o.orderdate,
                      o.totalprice,
                      sum(l.quantity)
                    FROM
                      ${schema}.customer AS c,
                      ${schema}.orders AS o,
                      ${schema}.lineitem AS l
                    WHERE
                      o.orderkey IN (
                        SELECT l.orderkey
                        FROM ${schema}.lineitem AS l
                        GROUP BY l.orderkey
                        HAVING sum(l.quantity) > 300
                      )
                      AND c.custkey = o.custkey
                      AND o.orderkey = l.orderkey
                    GROUP BY
                      c.name,
                      c.custkey,
                      o.orderkey,
                      o.orderdate,
                      o.totalprice
                    ORDER BY
                      o.totalprice DESC,
                      o.orderdate
                    LIMIT 100
                    """));

    // characters of the tree drawing in front of a node or detail line
    private static final Pattern TREE_PREFIX = Pattern.compile("^[\\s│├└─]*");
    private static final Pattern FRAGMENT = Pattern.compile("Fragment (\\d+) \\[(.*)]");
    // a node is its name then its descriptor in brackets, alone on its line; details are "Key: value" or "symbol := expression"
    private static final Pattern NODE = Pattern.compile("([A-Z][A-Za-z]*)\\[(.*)]");
    private static final Pattern DISTRIBUTION = Pattern.compile("Distribution: (\\w+)");
    private static final Pattern DESCRIPTOR_KEY = Pattern.compile("^\\w+ = ");
    // a symbol the planner numbered to keep it unique, like orderkey_12
    private static final Pattern SYMBOL_SUFFIX = Pattern.compile("\\b([a-z][a-z0-9_]*?)_\\d+\\b");
    // catalog:schema.table$data@snapshot constraint on [...]: only the table
    private static final Pattern TABLE = Pattern.compile("^(?:[^:\\s]+:)?(?:[^.\\s]+\\.)?([^$@\\s]+)");
    private static final Pattern CATALOG_PREFIX = Pattern.compile("\\b\\w+:");

    private TpchPlanComparison() {}

    /**
     * The shape of the text of {@code EXPLAIN (TYPE DISTRIBUTED)}: one line per fragment with
     * its partitioning, and under it, indented by their depth among the nodes kept, the nodes
     * that decide how the query runs: joins with their criteria and distribution, aggregations
     * with their step, top-N, the exchanges between fragments and the table scans with the
     * table name only. Layouts, estimates, assignments, filters, projections and local
     * exchanges are left out, and the names that differ between two catalogs of the same
     * tables: catalog and schema names, snapshot ids and the numbers the planner appends to
     * symbols.
     */
    public static List<String> planShape(String explain)
    {
        ImmutableList.Builder<String> shape = ImmutableList.builder();
        // columns at which the kept ancestors of the current node start
        Deque<Integer> keptAncestors = new ArrayDeque<>();
        // the last line kept, held back until the details of its node are read
        String pending = null;
        boolean lastNodeKept = false;
        for (String line : explain.split("\n")) {
            Matcher prefix = TREE_PREFIX.matcher(line);
            prefix.find();
            int column = prefix.end();
            String text = line.substring(column).strip();
            Matcher fragment = FRAGMENT.matcher(text);
            if (column == 0 && fragment.matches()) {
                flush(shape, pending);
                keptAncestors.clear();
                lastNodeKept = false;
                pending = "Fragment %s [%s]".formatted(fragment.group(1), CATALOG_PREFIX.matcher(fragment.group(2)).replaceAll(""));
                continue;
            }
            Matcher distribution = DISTRIBUTION.matcher(text);
            if (distribution.matches() && lastNodeKept) {
                // a detail of the join still pending: its distribution goes into the join's brackets
                String separator = pending.endsWith("[]") ? "" : ", ";
                pending = pending.substring(0, pending.length() - 1) + separator + "distribution = " + distribution.group(1) + "]";
                continue;
            }
            Matcher node = NODE.matcher(text);
            if (!node.matches()) {
                continue;
            }
            while (!keptAncestors.isEmpty() && keptAncestors.peek() >= column) {
                keptAncestors.pop();
            }
            Optional<String> kept = shapeOf(node.group(1), descriptor(node.group(2)));
            lastNodeKept = kept.isPresent();
            if (kept.isPresent()) {
                flush(shape, pending);
                pending = "  ".repeat(keptAncestors.size() + 1) + kept.get();
                keptAncestors.push(column);
            }
        }
        flush(shape, pending);
        return shape.build();
    }

    private static void flush(ImmutableList.Builder<String> shape, String pending)
    {
        if (pending != null) {
            shape.add(pending);
        }
    }

    private static Optional<String> shapeOf(String name, Map<String, String> descriptor)
    {
        return switch (name) {
            case "InnerJoin", "LeftJoin", "RightJoin", "FullJoin", "SemiJoin" ->
                    Optional.of("%s[criteria = %s]".formatted(name, withoutSymbolSuffixes(descriptor.getOrDefault("criteria", ""))));
            case "CrossJoin" -> Optional.of("CrossJoin[]");
            case "Aggregate" -> Optional.of("Aggregate[%s]".formatted(descriptor.getOrDefault("type", "SINGLE")));
            case "TopN", "TopNPartial" -> Optional.of("%s[%s]".formatted(name, descriptor.getOrDefault("count", "")));
            case "RemoteSource", "RemoteMerge" -> Optional.of("%s%s".formatted(name, descriptor.getOrDefault("sourceFragmentIds", "[]")));
            case "TableScan", "ScanFilter", "ScanProject", "ScanFilterProject" -> Optional.of("%s[%s]".formatted(name, tableName(descriptor.getOrDefault("table", ""))));
            default -> Optional.empty();
        };
    }

    /**
     * {@code key = value, key = value} of a node, split only at the top level: values hold
     * commas of their own inside brackets, parentheses and quotes.
     */
    static Map<String, String> descriptor(String text)
    {
        Map<String, String> entries = new LinkedHashMap<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            boolean end = i == text.length();
            if (!end) {
                char character = text.charAt(i);
                if (character == '\'') {
                    quoted = !quoted;
                }
                else if (!quoted && (character == '(' || character == '[' || character == '{')) {
                    depth++;
                }
                else if (!quoted && (character == ')' || character == ']' || character == '}')) {
                    depth--;
                }
            }
            boolean separator = !end && !quoted && depth == 0 && text.startsWith(", ", i) && DESCRIPTOR_KEY.matcher(text.substring(i + 2)).find();
            if (end || separator) {
                String entry = text.substring(start, i);
                int equals = entry.indexOf(" = ");
                if (equals > 0) {
                    entries.put(entry.substring(0, equals), entry.substring(equals + 3));
                }
                start = i + 2;
            }
        }
        return entries;
    }

    static String tableName(String table)
    {
        Matcher matcher = TABLE.matcher(table);
        return matcher.find() ? matcher.group(1) : table;
    }

    static String withoutSymbolSuffixes(String text)
    {
        return SYMBOL_SUFFIX.matcher(text).replaceAll("$1");
    }

    /**
     * Where two plan shapes part, for a note: the first line that differs, or where the shorter one ends.
     */
    public static Optional<String> firstDifference(List<String> ours, List<String> reference)
    {
        for (int line = 0; line < Math.max(ours.size(), reference.size()); line++) {
            Optional<String> oursLine = line < ours.size() ? Optional.of(ours.get(line)) : Optional.empty();
            Optional<String> referenceLine = line < reference.size() ? Optional.of(reference.get(line)) : Optional.empty();
            if (!oursLine.equals(referenceLine)) {
                return Optional.of("line %d: ours %s, stock %s".formatted(line + 1, describe(oursLine), describe(referenceLine)));
            }
        }
        return Optional.empty();
    }

    private static String describe(Optional<String> line)
    {
        // the same node indented differently is elsewhere in the tree: the depth tells where
        return line.map(text -> "`%s` at depth %d".formatted(text.strip(), (text.length() - text.stripLeading().length()) / 2))
                .orElse("ends");
    }
}
