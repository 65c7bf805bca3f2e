package io.hybridlakehouse.plugin.mv;

import com.google.common.collect.ImmutableList;
import io.trino.spi.TrinoException;
import io.trino.sql.parser.ParsingException;
import io.trino.sql.parser.SqlParser;
import io.trino.sql.tree.AliasedRelation;
import io.trino.sql.tree.AllColumns;
import io.trino.sql.tree.ArithmeticBinaryExpression;
import io.trino.sql.tree.BetweenPredicate;
import io.trino.sql.tree.BooleanLiteral;
import io.trino.sql.tree.Cast;
import io.trino.sql.tree.ComparisonExpression;
import io.trino.sql.tree.DecimalLiteral;
import io.trino.sql.tree.DereferenceExpression;
import io.trino.sql.tree.DoubleLiteral;
import io.trino.sql.tree.Expression;
import io.trino.sql.tree.FunctionCall;
import io.trino.sql.tree.GenericLiteral;
import io.trino.sql.tree.GroupBy;
import io.trino.sql.tree.GroupingElement;
import io.trino.sql.tree.Identifier;
import io.trino.sql.tree.InListExpression;
import io.trino.sql.tree.InPredicate;
import io.trino.sql.tree.IsNotNullPredicate;
import io.trino.sql.tree.IsNullPredicate;
import io.trino.sql.tree.Join;
import io.trino.sql.tree.JoinOn;
import io.trino.sql.tree.LikePredicate;
import io.trino.sql.tree.LogicalExpression;
import io.trino.sql.tree.LongLiteral;
import io.trino.sql.tree.Node;
import io.trino.sql.tree.NotExpression;
import io.trino.sql.tree.NullLiteral;
import io.trino.sql.tree.Query;
import io.trino.sql.tree.QuerySpecification;
import io.trino.sql.tree.Relation;
import io.trino.sql.tree.SelectItem;
import io.trino.sql.tree.SimpleGroupBy;
import io.trino.sql.tree.SingleColumn;
import io.trino.sql.tree.Statement;
import io.trino.sql.tree.StringLiteral;
import io.trino.sql.tree.Table;
import io.trino.sql.tree.TableSubquery;
import io.trino.sql.tree.Union;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;


/**
 * Checks a materialized view's defining query against what synchronous maintenance can keep
 * current, and describes it as a {@link SynchronousViewDefinition}: grouping keys (columns,
 * {@code date_trunc} and casts of columns), mergeable aggregates, and one branch per base
 * table (a single base, optionally joined with dimension tables, or a {@code UNION ALL} of
 * projections of several bases: metric stitching). Anything else is refused with
 * {@code HYBRID_UNSUPPORTED_MATERIALIZED_VIEW}, naming the construct and what is supported.
 */
public final class MaterializedViewAnalyzer
{
    static final String SUPPORTED = "Supported: SELECT <keys>, <aggregates> FROM <base> [JOIN <dimension> ON <equality>] [WHERE <predicate>] GROUP BY <keys>, " +
            "or FROM (<projection of a base> UNION ALL ...) GROUP BY <keys>; keys are columns, date_trunc(unit, column) or casts of columns; " +
            "aggregates are count(*), count(x), sum, min, max, avg and approx_distinct";
    private static final Set<String> AGGREGATES = Set.of("count", "sum", "min", "max", "avg", "approx_distinct");
    private static final Set<String> TRUNCATION_UNITS = Set.of("second", "minute", "hour", "day", "week", "month", "quarter", "year");
    private static final SqlParser PARSER = new SqlParser();

    private MaterializedViewAnalyzer() {}

    public static SynchronousViewDefinition analyze(String sql)
    {
        Statement statement;
        try {
            statement = PARSER.createStatement(sql);
        }
        catch (ParsingException e) {
            throw unsupported("its query does not parse: " + e.getMessage());
        }
        if (!(statement instanceof Query query)) {
            throw unsupported("its definition is not a query");
        }
        checkPlainQuery(query, "the view's query");
        if (!(query.getQueryBody() instanceof QuerySpecification specification)) {
            throw unsupported("a UNION at the top level: put the UNION ALL of the base tables in a subquery and GROUP BY over it");
        }
        checkNoExtras(specification, true);
        List<String> groupBy = groupingExpressions(specification.getGroupBy(), specification.getSelect().getSelectItems());

        ImmutableList.Builder<SynchronousViewDefinition.Key> keys = ImmutableList.builder();
        ImmutableList.Builder<SynchronousViewDefinition.Aggregate> aggregates = ImmutableList.builder();
        for (SelectItem item : specification.getSelect().getSelectItems()) {
            if (item instanceof AllColumns) {
                throw unsupported("SELECT *: name the grouping keys and aggregates");
            }
            SingleColumn column = (SingleColumn) item;
            Expression expression = column.getExpression();
            if (expression instanceof FunctionCall call && AGGREGATES.contains(functionName(call))) {
                aggregates.add(aggregate(call, outputName(column, "aggregate " + call)));
                continue;
            }
            checkKeyExpression(expression);
            if (!groupBy.contains(expression.toString())) {
                throw unsupported("the select item %s is neither an aggregate nor in GROUP BY".formatted(expression));
            }
            keys.add(new SynchronousViewDefinition.Key(outputName(column, "key " + expression), expression.toString()));
        }
        List<SynchronousViewDefinition.Key> keyList = keys.build();
        for (String grouped : groupBy) {
            if (keyList.stream().noneMatch(key -> key.expression().equals(grouped))) {
                // the view's rows are its keys' groups: a key left out would merge groups the query keeps apart
                throw unsupported("the GROUP BY key %s, which the view does not select: select every grouping key".formatted(grouped));
            }
        }
        List<SynchronousViewDefinition.Aggregate> aggregateList = aggregates.build();
        if (aggregateList.isEmpty()) {
            throw unsupported("it has no aggregate: a synchronous view aggregates its base tables");
        }
        Relation from = specification.getFrom().orElseThrow(() -> unsupported("it reads no table"));
        List<SynchronousViewDefinition.Branch> branches = branches(from, specification.getWhere());
        return new SynchronousViewDefinition(keyList, aggregateList, branchColumns(from), branches);
    }

    private static List<String> branchColumns(Relation from)
    {
        Relation relation = from instanceof AliasedRelation aliased ? aliased.getRelation() : from;
        if (!(relation instanceof TableSubquery subquery)) {
            return ImmutableList.of();
        }
        Node first = subquery.getQuery().getQueryBody();
        while (first instanceof Union union) {
            first = union.getRelations().getFirst();
        }
        ImmutableList.Builder<String> names = ImmutableList.builder();
        for (SelectItem item : ((QuerySpecification) first).getSelect().getSelectItems()) {
            SingleColumn column = (SingleColumn) item;
            names.add(outputName(column, "UNION ALL column " + column.getExpression()));
        }
        return names.build();
    }

    private static List<SynchronousViewDefinition.Branch> branches(Relation from, Optional<Expression> where)
    {
        Relation relation = from instanceof AliasedRelation aliased ? aliased.getRelation() : from;
        if (relation instanceof TableSubquery subquery) {
            if (where.isPresent()) {
                throw unsupported("a WHERE over the UNION ALL: put it in each branch");
            }
            Query query = subquery.getQuery();
            checkPlainQuery(query, "the UNION ALL subquery");
            ImmutableList.Builder<SynchronousViewDefinition.Branch> branches = ImmutableList.builder();
            collectUnionBranches(query.getQueryBody(), branches);
            return branches.build();
        }
        return ImmutableList.of(branch(from, where, ImmutableList.of()));
    }

    private static void collectUnionBranches(Node body, ImmutableList.Builder<SynchronousViewDefinition.Branch> branches)
    {
        if (body instanceof Union union) {
            if (union.isDistinct()) {
                throw unsupported("UNION (DISTINCT): stitch base tables with UNION ALL");
            }
            for (Relation relation : union.getRelations()) {
                collectUnionBranches(relation, branches);
            }
            return;
        }
        if (!(body instanceof QuerySpecification branch)) {
            throw unsupported("a UNION ALL branch that is not a plain SELECT: " + body);
        }
        checkNoExtras(branch, false);
        if (branch.getGroupBy().isPresent()) {
            throw unsupported("GROUP BY inside a UNION ALL branch: each branch projects one base table, the view groups once");
        }
        for (SelectItem item : branch.getSelect().getSelectItems()) {
            if (!(item instanceof SingleColumn column)) {
                throw unsupported("SELECT * in a UNION ALL branch: list the columns every branch projects");
            }
            checkBranchExpression(column.getExpression());
        }
        List<String> projections = branch.getSelect().getSelectItems().stream()
                .map(item -> ((SingleColumn) item).getExpression().toString())
                .toList();
        branches.add(branch(branch.getFrom().orElseThrow(() -> unsupported("a UNION ALL branch that reads no table")), branch.getWhere(), projections));
    }

    private static SynchronousViewDefinition.Branch branch(Relation relation, Optional<Expression> where, List<String> projections)
    {
        where.ifPresent(MaterializedViewAnalyzer::checkPredicate);
        ImmutableList.Builder<SynchronousViewDefinition.Dimension> dimensions = ImmutableList.builder();
        Table base = baseTable(relation, dimensions);
        return new SynchronousViewDefinition.Branch(base.getName().toString(), aliasOf(relation, base), dimensions.build(), where.map(Expression::toString), projections);
    }

    private static String aliasOf(Relation relation, Table table)
    {
        Relation unaliased = relation;
        while (unaliased instanceof Join join) {
            unaliased = join.getLeft();
        }
        if (unaliased instanceof AliasedRelation aliased) {
            return aliased.getAlias().getValue().toLowerCase(Locale.ROOT);
        }
        return table.getName().getSuffix().toLowerCase(Locale.ROOT);
    }

    private static Table baseTable(Relation relation, ImmutableList.Builder<SynchronousViewDefinition.Dimension> dimensions)
    {
        Relation unaliased = relation instanceof AliasedRelation aliased ? aliased.getRelation() : relation;
        if (unaliased instanceof Table table) {
            return table;
        }
        if (unaliased instanceof Join join) {
            if (join.getType() != Join.Type.INNER && join.getType() != Join.Type.LEFT) {
                throw unsupported("%s JOIN: dimensions join the base table with an inner or left equality join".formatted(join.getType()));
            }
            if (!(join.getCriteria().orElse(null) instanceof JoinOn on) || !isEqualityConjunction(on.getExpression())) {
                throw unsupported("a join without an ON equality of columns (or a cast of one)");
            }
            Relation right = join.getRight() instanceof AliasedRelation aliased ? aliased.getRelation() : join.getRight();
            if (!(right instanceof Table dimension)) {
                throw unsupported("a join with a subquery: join dimension tables by name");
            }
            String alias = join.getRight() instanceof AliasedRelation aliased ? aliased.getAlias().getValue().toLowerCase(Locale.ROOT) : dimension.getName().getSuffix().toLowerCase(Locale.ROOT);
            // the fact side comes first: dimensions are joined in order onto it
            Table base = baseTable(join.getLeft(), dimensions);
            dimensions.add(new SynchronousViewDefinition.Dimension(dimension.getName().toString(), alias, join.getType() == Join.Type.LEFT, joinKeys(on.getExpression(), alias)));
            return base;
        }
        throw unsupported("reading from %s: read one base table, or a UNION ALL of base tables in a subquery".formatted(unaliased.getClass().getSimpleName()));
    }

    private static List<SynchronousViewDefinition.JoinKey> joinKeys(Expression condition, String dimensionAlias)
    {
        ImmutableList.Builder<SynchronousViewDefinition.JoinKey> keys = ImmutableList.builder();
        List<Expression> terms = condition instanceof LogicalExpression logical ? logical.getTerms() : List.of(condition);
        for (Expression term : terms) {
            ComparisonExpression equality = (ComparisonExpression) term;
            boolean leftIsDimension = qualifier(equality.getLeft()).equals(Optional.of(dimensionAlias));
            boolean rightIsDimension = qualifier(equality.getRight()).equals(Optional.of(dimensionAlias));
            if (leftIsDimension == rightIsDimension) {
                throw unsupported("the join condition %s: compare a column of the dimension %s (qualified with its name or alias) with a column of the tables before it".formatted(term, dimensionAlias));
            }
            Expression dimensionSide = leftIsDimension ? equality.getLeft() : equality.getRight();
            if (!(dimensionSide instanceof DereferenceExpression)) {
                throw unsupported("the join condition %s: compare the dimension's column itself; cast the other side to its type".formatted(term));
            }
            Expression probeSide = leftIsDimension ? equality.getRight() : equality.getLeft();
            keys.add(new SynchronousViewDefinition.JoinKey(probeSide.toString(), ((DereferenceExpression) dimensionSide).getField().orElseThrow().getValue().toLowerCase(Locale.ROOT)));
        }
        return keys.build();
    }

    private static Optional<String> qualifier(Expression expression)
    {
        if (expression instanceof DereferenceExpression dereference && dereference.getBase() instanceof Identifier base) {
            return Optional.of(base.getValue().toLowerCase(Locale.ROOT));
        }
        return Optional.empty();
    }

    private static boolean isEqualityConjunction(Expression expression)
    {
        if (expression instanceof LogicalExpression logical && logical.getOperator() == LogicalExpression.Operator.AND) {
            return logical.getTerms().stream().allMatch(MaterializedViewAnalyzer::isEqualityConjunction);
        }
        return expression instanceof ComparisonExpression comparison
                && comparison.getOperator() == ComparisonExpression.Operator.EQUAL
                && isJoinOperand(comparison.getLeft())
                && isJoinOperand(comparison.getRight());
    }

    /**
     * A column, or a cast of one: the side of the tables joined before may need a cast to the
     * dimension column's type, as Trino casts one side of an equality of two types.
     */
    private static boolean isJoinOperand(Expression expression)
    {
        return isColumn(expression) || expression instanceof Cast cast && isColumn(cast.getExpression());
    }

    private static SynchronousViewDefinition.Aggregate aggregate(FunctionCall call, String name)
    {
        String function = functionName(call);
        if (call.isDistinct()) {
            throw unsupported("%s(DISTINCT ...): distinct counts cannot be merged across INSERTs; use approx_distinct(...)".formatted(function));
        }
        if (call.getFilter().isPresent() || call.getWindow().isPresent() || call.getOrderBy().isPresent()) {
            throw unsupported("%s with FILTER, OVER or ORDER BY: use a plain aggregate and put conditions in WHERE".formatted(function));
        }
        List<Expression> arguments = call.getArguments();
        if (function.equals("count") && arguments.isEmpty()) {
            return new SynchronousViewDefinition.Aggregate(name, SynchronousViewDefinition.AggregateFunction.COUNT_ALL, Optional.empty());
        }
        if (arguments.size() != 1 || !isColumn(arguments.getFirst())) {
            throw unsupported("%s over %s: aggregate a column (compute expressions in a UNION ALL branch)".formatted(function, arguments));
        }
        return new SynchronousViewDefinition.Aggregate(name, SynchronousViewDefinition.AggregateFunction.valueOf(function.toUpperCase(Locale.ROOT)), Optional.of(arguments.getFirst().toString()));
    }

    private static void checkKeyExpression(Expression expression)
    {
        if (isColumn(expression)) {
            return;
        }
        if (expression instanceof Cast cast && isColumn(cast.getExpression())) {
            return;
        }
        if (expression instanceof FunctionCall call && functionName(call).equals("date_trunc")) {
            if (call.getArguments().size() == 2
                    && call.getArguments().get(0) instanceof StringLiteral unit
                    && TRUNCATION_UNITS.contains(unit.getValue().toLowerCase(Locale.ROOT))
                    && (isColumn(call.getArguments().get(1)) || call.getArguments().get(1) instanceof Cast cast && isColumn(cast.getExpression()))) {
                return;
            }
            throw unsupported("%s: date_trunc takes a unit literal (%s) and a column".formatted(expression, String.join(", ", TRUNCATION_UNITS)));
        }
        throw unsupported("the grouping key %s: keys are columns, date_trunc(unit, column) or CAST(column AS type)".formatted(expression));
    }

    private static void checkBranchExpression(Expression expression)
    {
        if (expression instanceof LongLiteral || expression instanceof NullLiteral || expression instanceof StringLiteral
                || expression instanceof DecimalLiteral || expression instanceof DoubleLiteral || expression instanceof GenericLiteral) {
            return;
        }
        if (expression instanceof Cast cast && cast.getExpression() instanceof NullLiteral) {
            throw unsupported("the UNION ALL branch column %s: write NULL, which takes the type the other branches give the column".formatted(expression));
        }
        if (expression instanceof Cast cast && !isColumn(cast.getExpression())) {
            throw unsupported("the UNION ALL branch column %s: write a typed literal instead (BIGINT '1', DECIMAL '0.00')".formatted(expression));
        }
        if (isColumn(expression) || expression instanceof Cast || expression instanceof FunctionCall call && functionName(call).equals("date_trunc")) {
            checkKeyExpression(expression);
            return;
        }
        throw unsupported("the UNION ALL branch column %s: a branch column is a literal, NULL, a column, date_trunc(unit, column) or CAST(column AS type)".formatted(expression));
    }

    private static void checkPredicate(Expression expression)
    {
        switch (expression) {
            case LogicalExpression logical -> logical.getTerms().forEach(MaterializedViewAnalyzer::checkPredicate);
            case NotExpression not -> checkPredicate(not.getValue());
            case ComparisonExpression comparison -> {
                checkOperand(comparison.getLeft());
                checkOperand(comparison.getRight());
            }
            case BetweenPredicate between -> {
                checkOperand(between.getValue());
                checkOperand(between.getMin());
                checkOperand(between.getMax());
            }
            case InPredicate in -> {
                checkOperand(in.getValue());
                if (!(in.getValueList() instanceof InListExpression list)) {
                    throw unsupported("IN with a subquery in WHERE: list the values");
                }
                list.getValues().forEach(MaterializedViewAnalyzer::checkOperand);
            }
            case IsNullPredicate isNull -> checkOperand(isNull.getValue());
            case IsNotNullPredicate isNotNull -> checkOperand(isNotNull.getValue());
            case LikePredicate like -> {
                checkOperand(like.getValue());
                checkOperand(like.getPattern());
            }
            case BooleanLiteral _ -> { }
            default -> throw unsupported("the WHERE term %s: use comparisons, IN, BETWEEN, IS [NOT] NULL, LIKE, AND, OR and NOT on columns".formatted(expression));
        }
    }

    private static void checkOperand(Expression expression)
    {
        switch (expression) {
            case Identifier _, DereferenceExpression _, LongLiteral _, StringLiteral _, DecimalLiteral _, DoubleLiteral _, GenericLiteral _, BooleanLiteral _, NullLiteral _ -> { }
            case Cast cast -> checkOperand(cast.getExpression());
            case ArithmeticBinaryExpression arithmetic -> {
                checkOperand(arithmetic.getLeft());
                checkOperand(arithmetic.getRight());
            }
            case FunctionCall call -> throw unsupported("the function %s in WHERE: a synchronous view filters with deterministic comparisons of columns and literals".formatted(functionName(call)));
            default -> throw unsupported("%s in WHERE: compare columns with literals".formatted(expression));
        }
    }

    private static void checkPlainQuery(Query query, String where)
    {
        if (query.getWith().isPresent()) {
            throw unsupported("WITH in %s: inline the subquery".formatted(where));
        }
        if (query.getOrderBy().isPresent()) {
            throw unsupported("ORDER BY in %s: a view's rows have no order; order when querying it".formatted(where));
        }
        if (query.getLimit().isPresent() || query.getOffset().isPresent()) {
            throw unsupported("LIMIT or OFFSET in %s: a synchronous view keeps every group".formatted(where));
        }
    }

    private static void checkNoExtras(QuerySpecification specification, boolean grouped)
    {
        if (specification.getSelect().isDistinct()) {
            throw unsupported("SELECT DISTINCT: group by the columns instead");
        }
        if (specification.getHaving().isPresent()) {
            throw unsupported("HAVING: it drops groups that a later INSERT may make qualify; filter when querying the view");
        }
        if (!specification.getWindows().isEmpty()) {
            throw unsupported("a WINDOW clause: window functions cannot be maintained incrementally");
        }
        if (specification.getOrderBy().isPresent()) {
            throw unsupported("ORDER BY: a view's rows have no order; order when querying it");
        }
        if (specification.getLimit().isPresent() || specification.getOffset().isPresent()) {
            throw unsupported("LIMIT or OFFSET: a synchronous view keeps every group");
        }
        if (grouped && specification.getGroupBy().isEmpty()) {
            throw unsupported("no GROUP BY: a synchronous view groups by its keys");
        }
        specification.getSelect().getSelectItems().stream()
                .filter(SingleColumn.class::isInstance)
                .map(item -> ((SingleColumn) item).getExpression())
                .filter(FunctionCall.class::isInstance)
                .map(FunctionCall.class::cast)
                .filter(call -> call.getWindow().isPresent())
                .findFirst()
                .ifPresent(call -> {
                    throw unsupported("the window function %s: window functions cannot be maintained incrementally".formatted(functionName(call)));
                });
    }

    private static List<String> groupingExpressions(Optional<GroupBy> groupBy, List<SelectItem> selectItems)
    {
        ImmutableList.Builder<String> expressions = ImmutableList.builder();
        for (GroupingElement element : groupBy.orElseThrow().getGroupingElements()) {
            if (groupBy.get().isDistinct() || !(element instanceof SimpleGroupBy simple)) {
                throw unsupported("GROUPING SETS, ROLLUP or CUBE: group by plain keys; queries roll the view up");
            }
            for (Expression expression : simple.getExpressions()) {
                expressions.add(expression instanceof LongLiteral position ? selectedKey(position, selectItems) : expression.toString());
            }
        }
        return expressions.build();
    }

    /**
     * The key a {@code GROUP BY} position stands for, as Trino reads one: the select item at that
     * position, counted from 1.
     */
    private static String selectedKey(LongLiteral position, List<SelectItem> selectItems)
    {
        long index = position.getParsedValue();
        if (index < 1 || index > selectItems.size()) {
            throw unsupported("GROUP BY position %s is not in the select list, which has %s items".formatted(index, selectItems.size()));
        }
        if (!(selectItems.get((int) index - 1) instanceof SingleColumn column)) {
            throw unsupported("SELECT *: name the grouping keys and aggregates");
        }
        if (column.getExpression() instanceof FunctionCall call && AGGREGATES.contains(functionName(call))) {
            throw unsupported("GROUP BY position %s, which is the aggregate %s: group by the keys".formatted(index, call));
        }
        return column.getExpression().toString();
    }

    private static String outputName(SingleColumn column, String what)
    {
        if (column.getAlias().isPresent()) {
            return column.getAlias().get().getValue().toLowerCase(Locale.ROOT);
        }
        if (column.getExpression() instanceof Identifier identifier) {
            return identifier.getValue().toLowerCase(Locale.ROOT);
        }
        if (column.getExpression() instanceof DereferenceExpression dereference && dereference.getField().isPresent()) {
            return dereference.getField().get().getValue().toLowerCase(Locale.ROOT);
        }
        throw unsupported("the %s has no name: give it an alias (AS name)".formatted(what));
    }

    private static boolean isColumn(Expression expression)
    {
        return expression instanceof Identifier || expression instanceof DereferenceExpression;
    }

    private static String functionName(FunctionCall call)
    {
        return call.getName().getSuffix().toLowerCase(Locale.ROOT);
    }

    private static TrinoException unsupported(String what)
    {
        return RowExpressions.unsupported(what);
    }
}
