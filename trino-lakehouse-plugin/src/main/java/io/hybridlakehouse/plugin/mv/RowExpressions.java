package io.hybridlakehouse.plugin.mv;

import io.airlift.slice.Slice;
import io.airlift.slice.Slices;
import io.trino.spi.Page;
import io.trino.spi.TrinoException;
import io.trino.spi.type.CharType;
import io.trino.spi.type.DateType;
import io.trino.spi.type.DecimalType;
import io.trino.spi.type.Int128;
import io.trino.spi.type.TimestampType;
import io.trino.spi.type.Type;
import io.trino.spi.type.TypeId;
import io.trino.spi.type.TypeManager;
import io.trino.spi.type.TypeOperators;
import io.trino.spi.type.VarcharType;
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
import io.trino.sql.tree.Identifier;
import io.trino.sql.tree.InListExpression;
import io.trino.sql.tree.InPredicate;
import io.trino.sql.tree.IsNotNullPredicate;
import io.trino.sql.tree.IsNullPredicate;
import io.trino.sql.tree.LikePredicate;
import io.trino.sql.tree.LogicalExpression;
import io.trino.sql.tree.LongLiteral;
import io.trino.sql.tree.Node;
import io.trino.sql.tree.NotExpression;
import io.trino.sql.tree.NullLiteral;
import io.trino.sql.tree.StringLiteral;

import java.lang.invoke.MethodHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.google.common.base.Throwables.throwIfUnchecked;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_UNSUPPORTED_MATERIALIZED_VIEW;
import static io.trino.spi.function.InvocationConvention.InvocationArgumentConvention.NEVER_NULL;
import static io.trino.spi.function.InvocationConvention.InvocationReturnConvention.FAIL_ON_NULL;
import static io.trino.spi.function.InvocationConvention.simpleConvention;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.BooleanType.BOOLEAN;
import static io.trino.spi.type.DateType.DATE;
import static io.trino.spi.type.DoubleType.DOUBLE;
import static io.trino.spi.type.IntegerType.INTEGER;
import static io.trino.spi.type.RealType.REAL;
import static io.trino.spi.type.SmallintType.SMALLINT;
import static io.trino.spi.type.TinyintType.TINYINT;
import static io.trino.spi.type.TypeUtils.readNativeValue;
import static java.util.Objects.requireNonNull;

/**
 * Evaluates the expressions a synchronous view's definition allows (columns, literals,
 * {@code date_trunc}, a few casts, and its WHERE predicates) on the rows of an INSERT,
 * with Trino's semantics: native stack values, SQL three-valued logic, Trino's timestamp
 * rounding. What it cannot evaluate exactly is refused when the view is created.
 */
public final class RowExpressions
{
    private static final Pattern DATE_LITERAL = Pattern.compile("(\\d{4})-(\\d{1,2})-(\\d{1,2})");
    private static final Pattern TIMESTAMP_LITERAL = Pattern.compile("(\\d{4})-(\\d{1,2})-(\\d{1,2})(?:[ T](\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d+))?)?)?");
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    // operators of the engine's types, for orderings this class does not spell out; they cache their method handles
    private static final TypeOperators TYPE_OPERATORS = new TypeOperators();
    private static final String UNSUPPORTED_PREFIX = "Materialized view not supported: ";
    private static final String UNSUPPORTED_SUFFIX = ". " + MaterializedViewAnalyzer.SUPPORTED;

    /**
     * The base columns a branch reads: name to channel of the INSERT's pages and type. An
     * unqualified name more than one of the branch's tables has maps to {@link #AMBIGUOUS}.
     */
    record Scope(Map<String, Integer> channels, List<Type> types, Map<String, Expression> projections)
    {
        static final int AMBIGUOUS = -1;

        Scope
        {
            channels = Map.copyOf(channels);
            types = List.copyOf(types);
            projections = Map.copyOf(projections);
        }
    }

    interface RowExpression
    {
        Type type();

        // the native stack value (long, double, boolean, Slice, Int128) or null
        Object evaluate(Page page, int position);
    }

    private interface Evaluator
    {
        Object evaluate(Page page, int position);
    }

    private record Computed(Type type, Evaluator evaluator)
            implements RowExpression
    {
        @Override
        public Object evaluate(Page page, int position)
        {
            return evaluator.evaluate(page, position);
        }
    }

    static boolean isNullLiteral(RowExpression expression)
    {
        return expression instanceof NullConstant;
    }

    /**
     * NULL: of no type until compared or cast.
     */
    private record NullConstant()
            implements RowExpression
    {
        @Override
        public Type type()
        {
            return BOOLEAN;
        }

        @Override
        public Object evaluate(Page page, int position)
        {
            return null;
        }
    }

    interface RowPredicate
    {
        // TRUE, FALSE or null (unknown)
        Boolean test(Page page, int position);
    }

    private final TypeManager typeManager;

    RowExpressions(TypeManager typeManager)
    {
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
    }

    RowExpression compile(Expression expression, Scope scope)
    {
        return switch (expression) {
            case Identifier identifier -> column(Optional.empty(), identifier.getValue(), scope);
            case DereferenceExpression dereference when dereference.getField().isPresent() -> column(
                    dottedName(dereference.getBase()),
                    dereference.getField().get().getValue(),
                    scope);
            case LongLiteral literal -> constant(literal.getParsedValue() == (int) literal.getParsedValue() ? INTEGER : BIGINT, literal.getParsedValue());
            case StringLiteral literal -> constant(VarcharType.createVarcharType(Math.max(1, literal.getValue().length())), Slices.utf8Slice(literal.getValue()));
            case NullLiteral _ -> new NullConstant();
            case BooleanLiteral literal -> constant(BOOLEAN, literal.getValue());
            case DoubleLiteral literal -> constant(DOUBLE, literal.getValue());
            case DecimalLiteral literal -> decimalConstant(new BigDecimal(literal.getValue()));
            case GenericLiteral literal -> genericLiteral(literal);
            case FunctionCall call when call.getName().getSuffix().equalsIgnoreCase("date_trunc") -> dateTrunc(call, scope);
            case Cast cast -> cast(compile(cast.getExpression(), scope), typeManager.getType(TypeId.of(cast.getType().toString())), cast);
            default -> throw unsupported("the expression " + expression);
        };
    }

    RowPredicate compilePredicate(Expression expression, Scope scope)
    {
        return switch (expression) {
            case LogicalExpression logical -> {
                List<RowPredicate> terms = logical.getTerms().stream().map(term -> compilePredicate(term, scope)).toList();
                boolean and = logical.getOperator() == LogicalExpression.Operator.AND;
                yield (page, position) -> {
                    boolean unknown = false;
                    for (RowPredicate term : terms) {
                        Boolean value = term.test(page, position);
                        if (value == null) {
                            unknown = true;
                        }
                        else if (value != and) {
                            return !and;
                        }
                    }
                    return unknown ? null : and;
                };
            }
            case NotExpression not -> {
                RowPredicate value = compilePredicate(not.getValue(), scope);
                yield (page, position) -> {
                    Boolean result = value.test(page, position);
                    return result == null ? null : !result;
                };
            }
            case ComparisonExpression comparison when readsReal(comparison, scope) -> throw realComparison(comparison);
            case BetweenPredicate between when readsReal(between, scope) -> throw realComparison(between);
            case InPredicate in when readsReal(in, scope) -> throw realComparison(in);
            case ComparisonExpression comparison -> comparison(comparison.getOperator(), compile(comparison.getLeft(), scope), compile(comparison.getRight(), scope));
            case BetweenPredicate between -> {
                RowPredicate lower = comparison(ComparisonExpression.Operator.GREATER_THAN_OR_EQUAL, compile(between.getValue(), scope), compile(between.getMin(), scope));
                RowPredicate upper = comparison(ComparisonExpression.Operator.LESS_THAN_OR_EQUAL, compile(between.getValue(), scope), compile(between.getMax(), scope));
                yield and(lower, upper);
            }
            case InPredicate in -> {
                RowExpression value = compile(in.getValue(), scope);
                List<RowExpression> candidates = ((InListExpression) in.getValueList()).getValues().stream().map(candidate -> compile(candidate, scope)).toList();
                candidates.forEach(candidate -> comparable(value, candidate));
                yield (page, position) -> {
                    Object left = value.evaluate(page, position);
                    if (left == null) {
                        return null;
                    }
                    boolean unknown = false;
                    for (RowExpression candidate : candidates) {
                        Object right = candidate.evaluate(page, position);
                        if (right == null) {
                            unknown = true;
                        }
                        else if (equal(left, value.type(), right, candidate.type())) {
                            return true;
                        }
                    }
                    return unknown ? null : false;
                };
            }
            case IsNullPredicate isNull -> {
                RowExpression value = compile(isNull.getValue(), scope);
                yield (page, position) -> value.evaluate(page, position) == null;
            }
            case IsNotNullPredicate isNotNull -> {
                RowExpression value = compile(isNotNull.getValue(), scope);
                yield (page, position) -> value.evaluate(page, position) != null;
            }
            case LikePredicate like -> like(like, scope);
            case BooleanLiteral literal -> (_, _) -> literal.getValue();
            default -> throw unsupported("the predicate " + expression);
        };
    }

    private static boolean equal(Object left, Type leftType, Object right, Type rightType)
    {
        if (isFloatingPoint(leftType) || isFloatingPoint(rightType)) {
            return compareFloatingPoint(ComparisonExpression.Operator.EQUAL, left, leftType, right, rightType);
        }
        return compare(left, leftType, right, rightType) == 0;
    }

    private static RowPredicate and(RowPredicate first, RowPredicate second)
    {
        return (page, position) -> {
            Boolean a = first.test(page, position);
            Boolean b = second.test(page, position);
            if (Boolean.FALSE.equals(a) || Boolean.FALSE.equals(b)) {
                return false;
            }
            return a == null || b == null ? null : true;
        };
    }

    private RowPredicate like(LikePredicate like, Scope scope)
    {
        RowExpression value = compile(like.getValue(), scope);
        if (!(like.getPattern() instanceof StringLiteral pattern) || like.getEscape().isPresent() || !(value.type() instanceof VarcharType)) {
            throw unsupported("LIKE other than a varchar column with a pattern literal without ESCAPE");
        }
        StringBuilder regex = new StringBuilder();
        // by code point: a character outside the BMP is one character to match, as in Trino
        pattern.getValue().codePoints().forEach(character -> {
            switch (character) {
                case '%' -> regex.append(".*");
                case '_' -> regex.append('.');
                default -> regex.append(Pattern.quote(Character.toString(character)));
            }
        });
        Pattern compiled = Pattern.compile(regex.toString(), Pattern.DOTALL);
        return (page, position) -> {
            Object text = value.evaluate(page, position);
            return text == null ? null : compiled.matcher(((Slice) text).toStringUtf8()).matches();
        };
    }

    private static RowPredicate comparison(ComparisonExpression.Operator operator, RowExpression left, RowExpression right)
    {
        comparable(left, right);
        return (page, position) -> {
            Object a = left.evaluate(page, position);
            Object b = right.evaluate(page, position);
            if (operator == ComparisonExpression.Operator.IS_DISTINCT_FROM && (a == null || b == null)) {
                return (a == null) != (b == null);
            }
            if (a == null || b == null) {
                return null;
            }
            if (isFloatingPoint(left.type()) || isFloatingPoint(right.type())) {
                return compareFloatingPoint(operator, a, left.type(), b, right.type());
            }
            int order = compare(a, left.type(), b, right.type());
            return switch (operator) {
                case EQUAL -> order == 0;
                case NOT_EQUAL -> order != 0;
                case LESS_THAN -> order < 0;
                case LESS_THAN_OR_EQUAL -> order <= 0;
                case GREATER_THAN -> order > 0;
                case GREATER_THAN_OR_EQUAL -> order >= 0;
                case IS_DISTINCT_FROM -> order != 0;
            };
        };
    }

    /**
     * Whether a comparison reads a real column, cast or not. Trino takes -0.0 as 0 in
     * {@code r = 0} but not in {@code r IN (0, 1)}, turns ORs of equalities into IN lists and
     * comparisons of casts into comparisons of the column: which one a filter gets is the plan's
     * choice, so a view cannot filter the same way.
     */
    private boolean readsReal(Node expression, Scope scope)
    {
        if (expression instanceof Identifier || expression instanceof DereferenceExpression) {
            return compile((Expression) expression, scope).type() == REAL;
        }
        return expression.getChildren().stream().anyMatch(child -> readsReal(child, scope));
    }

    private static TrinoException realComparison(Expression comparison)
    {
        return unsupported("comparing a real column in WHERE (%s), which Trino compares by value in some forms of a filter and by bits in others (-0.0 and 0): use a double or decimal column".formatted(comparison));
    }

    private static boolean isFloatingPoint(Type type)
    {
        return type == DOUBLE || type == REAL;
    }

    /**
     * As Trino compares a real or double: in the common type of the two (double, or real where
     * the other side is no double), where NaN is neither equal to, less than nor greater than
     * anything, and {@code -0.0} equals {@code 0.0}; {@code IS DISTINCT FROM} takes NaN as NaN.
     */
    private static boolean compareFloatingPoint(ComparisonExpression.Operator operator, Object left, Type leftType, Object right, Type rightType)
    {
        boolean asReal = leftType != DOUBLE && rightType != DOUBLE;
        double a = floatingPointValue(left, leftType, asReal);
        double b = floatingPointValue(right, rightType, asReal);
        return switch (operator) {
            case EQUAL -> a == b;
            case NOT_EQUAL -> a != b;
            case LESS_THAN -> a < b;
            case LESS_THAN_OR_EQUAL -> a <= b;
            case GREATER_THAN -> a > b;
            case GREATER_THAN_OR_EQUAL -> a >= b;
            case IS_DISTINCT_FROM -> !(a == b || Double.isNaN(a) && Double.isNaN(b));
        };
    }

    private static double floatingPointValue(Object value, Type type, boolean asReal)
    {
        if (!asReal || type == REAL) {
            return toDouble(value, type);
        }
        // Trino casts the other side to real, rounding as a float
        return type instanceof DecimalType ? toBigDecimal(value, type).floatValue() : (float) (long) value;
    }

    private static void comparable(RowExpression leftExpression, RowExpression rightExpression)
    {
        Type left = leftExpression.type();
        Type right = rightExpression.type();
        if (leftExpression instanceof NullConstant || rightExpression instanceof NullConstant || isNumeric(left) && isNumeric(right) || isText(left) && isText(right)
                || isTemporal(left) && isTemporal(right) || left.equals(right) && left.isOrderable()) {
            return;
        }
        throw unsupported("comparing %s with %s: compare values of one kind (cast literals to the column's type)".formatted(left, right));
    }

    public static int compare(Object left, Type leftType, Object right, Type rightType)
    {
        if (isNumeric(leftType) && isNumeric(rightType)) {
            if (leftType == DOUBLE || leftType == REAL || rightType == DOUBLE || rightType == REAL) {
                return Double.compare(toDouble(left, leftType), toDouble(right, rightType));
            }
            return toBigDecimal(left, leftType).compareTo(toBigDecimal(right, rightType));
        }
        if (isTemporal(leftType) && isTemporal(rightType)) {
            return Long.compare(toMicros(left, leftType), toMicros(right, rightType));
        }
        if (left instanceof Slice a && right instanceof Slice b && isText(leftType) && isText(rightType)) {
            return a.compareTo(b);
        }
        if (leftType.equals(rightType) && leftType.isOrderable()) {
            // any other orderable type in the engine's own order: a timestamp with time zone by
            // its instant, time, varbinary, uuid, boolean, ...
            return orderOf(leftType, left, right);
        }
        throw unsupported("comparing %s with %s".formatted(leftType, rightType));
    }

    private static int orderOf(Type type, Object left, Object right)
    {
        MethodHandle comparison = TYPE_OPERATORS.getComparisonUnorderedLastOperator(type, simpleConvention(FAIL_ON_NULL, NEVER_NULL, NEVER_NULL));
        try {
            return Long.signum((long) comparison.invoke(left, right));
        }
        catch (Throwable e) {
            throwIfUnchecked(e);
            throw new RuntimeException(e);
        }
    }

    private static boolean isNumeric(Type type)
    {
        return type == TINYINT || type == SMALLINT || type == INTEGER || type == BIGINT || type == DOUBLE || type == REAL || type instanceof DecimalType;
    }

    private static boolean isText(Type type)
    {
        return type instanceof VarcharType || type instanceof CharType;
    }

    private static boolean isTemporal(Type type)
    {
        return type == DATE || type instanceof TimestampType timestamp && timestamp.isShort();
    }

    private static long toMicros(Object value, Type type)
    {
        return type == DATE ? (long) value * MICROS_PER_DAY : (long) value;
    }

    public static double toDouble(Object value, Type type)
    {
        if (type == DOUBLE) {
            return (double) value;
        }
        if (type == REAL) {
            return Float.intBitsToFloat(Math.toIntExact((long) value));
        }
        return toBigDecimal(value, type).doubleValue();
    }

    public static BigDecimal toBigDecimal(Object value, Type type)
    {
        if (type instanceof DecimalType decimal) {
            BigInteger unscaled = decimal.isShort() ? BigInteger.valueOf((long) value) : ((Int128) value).toBigInteger();
            return new BigDecimal(unscaled, decimal.getScale());
        }
        if (type == DOUBLE || type == REAL) {
            return BigDecimal.valueOf(toDouble(value, type));
        }
        return BigDecimal.valueOf((long) value);
    }

    // a table alias or a column (t.info in t.info.version), as the name it is written with
    private static Optional<String> dottedName(Expression expression)
    {
        return switch (expression) {
            case Identifier identifier -> Optional.of(identifier.getValue());
            case DereferenceExpression dereference when dereference.getField().isPresent() ->
                    dottedName(dereference.getBase()).map(base -> base + "." + dereference.getField().get().getValue());
            default -> Optional.empty();
        };
    }

    private RowExpression column(Optional<String> qualifier, String name, Scope scope)
    {
        String key = name.toLowerCase(Locale.ROOT);
        if (qualifier.isPresent() && scope.channels().containsKey(qualifier.get().toLowerCase(Locale.ROOT) + "." + key)) {
            key = qualifier.get().toLowerCase(Locale.ROOT) + "." + key;
        }
        Expression projected = scope.projections().get(key);
        if (projected != null) {
            // a name the UNION ALL branch projects: the branch's own expression over its base table
            return compile(projected, new Scope(scope.channels(), scope.types(), Map.of()));
        }
        Integer channel = scope.channels().get(key);
        if (channel == null) {
            if (qualifier.isPresent() && scope.channels().containsKey(qualifier.get().toLowerCase(Locale.ROOT))) {
                throw unsupported("the field %s of row column %s: a view reads whole columns (group by the row column, or add a column of its own for the field)".formatted(name, qualifier.get()));
            }
            throw unsupported("the column %s, which none of the view's tables has".formatted(qualifier.map(table -> table + "." + name).orElse(name)));
        }
        if (channel == Scope.AMBIGUOUS) {
            throw unsupported("the column %s, which more than one of the view's tables has: it must be qualified with its table's name or alias".formatted(name));
        }
        Type type = scope.types().get(channel);
        return new Computed(type, (page, position) -> readNativeValue(type, page.getBlock(channel), position));
    }

    private static RowExpression constant(Type type, Object value)
    {
        return new Computed(type, (_, _) -> value);
    }

    private static RowExpression decimalConstant(BigDecimal value)
    {
        DecimalType type = DecimalType.createDecimalType(Math.max(value.precision(), value.scale() + 1), value.scale());
        Object nativeValue = type.isShort() ? (Object) value.unscaledValue().longValueExact() : Int128.valueOf(value.unscaledValue());
        return constant(type, nativeValue);
    }

    private static RowExpression genericLiteral(GenericLiteral literal)
    {
        String type = literal.getType().toLowerCase(Locale.ROOT);
        String value = literal.getValue().strip();
        if (type.equals("date") || type.equals("timestamp")) {
            return temporalLiteral(literal, type.equals("date"));
        }
        if (type.equals("decimal")) {
            return decimalConstant(new BigDecimal(value));
        }
        if (type.equals("bigint") || type.equals("integer") || type.equals("smallint") || type.equals("tinyint")) {
            return constant(type.equals("bigint") ? BIGINT : INTEGER, Long.parseLong(value));
        }
        if (type.equals("double")) {
            return constant(DOUBLE, Double.parseDouble(value));
        }
        throw unsupported("the literal " + literal);
    }

    /**
     * A date or timestamp literal as Trino reads one ({@code 2026-1-2}, {@code 2026-11-02 8:00}):
     * a zone would make it a timestamp with time zone, and more than 6 fractional digits a
     * timestamp finer than the microseconds the view computes in.
     */
    private static RowExpression temporalLiteral(GenericLiteral literal, boolean date)
    {
        Matcher matcher = (date ? DATE_LITERAL : TIMESTAMP_LITERAL).matcher(literal.getValue().strip());
        if (!matcher.matches()) {
            throw unsupported("the literal %s: write %s".formatted(literal, date ? "DATE 'YYYY-MM-DD'" : "TIMESTAMP 'YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]' without a time zone"));
        }
        LocalDate day;
        LocalDateTime dateTime;
        try {
            day = LocalDate.of(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3)));
            if (date) {
                return constant(DATE, day.toEpochDay());
            }
            dateTime = day.atTime(
                    matcher.group(4) == null ? 0 : Integer.parseInt(matcher.group(4)),
                    matcher.group(5) == null ? 0 : Integer.parseInt(matcher.group(5)),
                    matcher.group(6) == null ? 0 : Integer.parseInt(matcher.group(6)));
        }
        catch (DateTimeException e) {
            throw unsupported("the literal %s, which is no valid %s".formatted(literal, date ? "date" : "timestamp"));
        }
        String fraction = Optional.ofNullable(matcher.group(7)).orElse("");
        if (fraction.length() > 6) {
            throw unsupported("the literal %s with more than 6 fractional digits, finer than the microseconds of the view's timestamps".formatted(literal));
        }
        long micros = Math.addExact(Math.multiplyExact(dateTime.toEpochSecond(ZoneOffset.UTC), 1_000_000L), fraction.isEmpty() ? 0 : Long.parseLong((fraction + "00000").substring(0, 6)));
        return constant(TimestampType.createTimestampType(fraction.length()), micros);
    }

    private RowExpression dateTrunc(FunctionCall call, Scope scope)
    {
        String unit = ((StringLiteral) call.getArguments().get(0)).getValue().toLowerCase(Locale.ROOT);
        RowExpression value = compile(call.getArguments().get(1), scope);
        Type type = value.type();
        if (type == DATE) {
            if (unit.equals("second") || unit.equals("minute") || unit.equals("hour")) {
                throw unsupported("date_trunc('%s', <date>)".formatted(unit));
            }
            return derived(DATE, value, days -> truncate(LocalDate.ofEpochDay((long) days).atStartOfDay(), unit).toLocalDate().toEpochDay());
        }
        if (!(type instanceof TimestampType timestamp) || !timestamp.isShort()) {
            throw unsupported("date_trunc of %s: truncate a date or timestamp(0..6) column".formatted(type));
        }
        return derived(type, value, micros -> truncateMicros((long) micros, unit));
    }

    public static long truncateMicros(long micros, String unit)
    {
        return switch (unit) {
            case "second" -> Math.floorDiv(micros, 1_000_000L) * 1_000_000L;
            case "minute" -> Math.floorDiv(micros, 60_000_000L) * 60_000_000L;
            case "hour" -> Math.floorDiv(micros, 3_600_000_000L) * 3_600_000_000L;
            case "day" -> Math.floorDiv(micros, MICROS_PER_DAY) * MICROS_PER_DAY;
            default -> {
                LocalDateTime day = LocalDate.ofEpochDay(Math.floorDiv(micros, MICROS_PER_DAY)).atStartOfDay();
                yield truncate(day, unit).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
            }
        };
    }

    private static LocalDateTime truncate(LocalDateTime dateTime, String unit)
    {
        LocalDateTime day = dateTime.truncatedTo(ChronoUnit.DAYS);
        return switch (unit) {
            case "day" -> day;
            case "week" -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case "month" -> day.withDayOfMonth(1);
            case "quarter" -> day.withDayOfMonth(1).withMonth((day.getMonthValue() - 1) / 3 * 3 + 1);
            case "year" -> day.withDayOfYear(1);
            default -> throw unsupported("date_trunc unit " + unit);
        };
    }

    private static RowExpression cast(RowExpression value, Type target, Cast cast)
    {
        Type source = value.type();
        if (source.equals(target) || value instanceof NullConstant) {
            return derived(target, value, x -> x);
        }
        if (source instanceof TimestampType timestamp && timestamp.isShort() && target == DATE) {
            return derived(DATE, value, micros -> Math.floorDiv((long) micros, MICROS_PER_DAY));
        }
        if (source instanceof TimestampType from && from.isShort() && target instanceof TimestampType to && to.isShort()) {
            // Trino rounds half up when lowering a timestamp's precision
            long factor = (long) Math.pow(10, 6 - Math.min(6, to.getPrecision()));
            return derived(target, value, micros -> Math.floorDiv((long) micros + factor / 2, factor) * factor);
        }
        if (source == DATE && target instanceof TimestampType to && to.isShort()) {
            return derived(target, value, days -> (long) days * MICROS_PER_DAY);
        }
        if ((source == TINYINT || source == SMALLINT || source == INTEGER) && (target == INTEGER || target == BIGINT)) {
            return derived(target, value, x -> x);
        }
        if (source instanceof VarcharType && target instanceof VarcharType varchar && varchar.isUnbounded()) {
            return derived(target, value, x -> x);
        }
        // Java's widening conversions round to nearest, as Trino's casts to floating point do
        boolean integer = source == TINYINT || source == SMALLINT || source == INTEGER || source == BIGINT;
        if (integer && target == DOUBLE) {
            return derived(target, value, x -> (double) (long) x);
        }
        if (integer && target == REAL) {
            return derived(target, value, x -> (long) Float.floatToRawIntBits((float) (long) x));
        }
        if (source == REAL && target == DOUBLE) {
            return derived(target, value, x -> (double) Float.intBitsToFloat(Math.toIntExact((long) x)));
        }
        throw unsupported("the cast %s from %s to %s".formatted(cast, source, target));
    }

    private static RowExpression derived(Type type, RowExpression input, java.util.function.Function<Object, Object> function)
    {
        return new Computed(type, (page, position) -> {
            Object value = input.evaluate(page, position);
            return value == null ? null : function.apply(value);
        });
    }

    /**
     * A value of one numeric type as the native value of another (union branches and aggregate states).
     */
    public static Object coerce(Object value, Type from, Type to)
    {
        if (value == null || from.equals(to)) {
            return value;
        }
        if (to == BIGINT || to == INTEGER || to == SMALLINT || to == TINYINT) {
            return toBigDecimal(value, from).longValueExact();
        }
        if (to == DOUBLE) {
            return toDouble(value, from);
        }
        if (to instanceof DecimalType decimal) {
            BigInteger unscaled = toBigDecimal(value, from).setScale(decimal.getScale(), java.math.RoundingMode.HALF_UP).unscaledValue();
            return decimal.isShort() ? (Object) unscaled.longValueExact() : Int128.valueOf(unscaled);
        }
        if (to instanceof VarcharType && value instanceof Slice) {
            return value;
        }
        if (isTemporal(from) && to instanceof TimestampType) {
            return toMicros(value, from);
        }
        throw unsupported("a value of %s where %s is expected".formatted(from, to));
    }

    public static Object decimalOf(BigInteger unscaled, DecimalType type)
    {
        return type.isShort() ? (Object) unscaled.longValueExact() : Int128.valueOf(unscaled);
    }

    public static BigInteger unscaled(Object value)
    {
        return value instanceof Long unscaled ? BigInteger.valueOf(unscaled) : ((Int128) value).toBigInteger();
    }

    static TrinoException unsupported(String what)
    {
        return new TrinoException(HYBRID_UNSUPPORTED_MATERIALIZED_VIEW, UNSUPPORTED_PREFIX + requireNonNull(what, "what is null") + UNSUPPORTED_SUFFIX);
    }

    /**
     * What an {@link #unsupported} error says is not supported, without the summary of what is;
     * the message of any other error.
     */
    static String unsupportedWhat(TrinoException e)
    {
        String message = e.getMessage();
        if (e.getErrorCode().equals(HYBRID_UNSUPPORTED_MATERIALIZED_VIEW.toErrorCode()) && message.startsWith(UNSUPPORTED_PREFIX) && message.endsWith(UNSUPPORTED_SUFFIX)) {
            return message.substring(UNSUPPORTED_PREFIX.length(), message.length() - UNSUPPORTED_SUFFIX.length());
        }
        return message;
    }
}
