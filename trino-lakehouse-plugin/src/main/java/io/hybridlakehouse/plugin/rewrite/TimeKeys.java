package io.hybridlakehouse.plugin.rewrite;

import com.google.common.collect.ImmutableMap;
import io.hybridlakehouse.plugin.mv.RowExpressions;
import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.Range;
import io.trino.spi.predicate.ValueSet;
import io.trino.spi.type.TimestampType;
import io.trino.spi.type.Timestamps;
import io.trino.spi.type.Type;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static com.google.common.base.Preconditions.checkArgument;
import static io.trino.spi.type.DateType.DATE;
import static io.trino.spi.type.Timestamps.MICROSECONDS_PER_DAY;
import static io.trino.spi.type.Timestamps.MICROSECONDS_PER_SECOND;
import static io.trino.spi.type.Timestamps.NANOSECONDS_PER_MICROSECOND;

/**
 * The time arithmetic of key derivation, on Trino's native values of {@code date} (days) and
 * short timestamps (epoch microseconds), exactly as {@code date_trunc} and {@code CAST(x AS timestamp(3))} compute it.
 */
public final class TimeKeys
{
    private static final List<String> UNITS = List.of("second", "minute", "hour", "day", "week", "month", "quarter", "year");
    private static final Map<String, String> FIELD_UNITS = ImmutableMap.<String, String>builder()
            .put("year", "year")
            .put("quarter", "quarter")
            .put("month", "month")
            .put("week", "week")
            .put("year_of_week", "week")
            .put("day", "day")
            .put("day_of_week", "day")
            .put("day_of_year", "day")
            .put("hour", "hour")
            .put("minute", "minute")
            .buildOrThrow();

    private TimeKeys() {}

    public static boolean isUnit(String unit)
    {
        return UNITS.contains(unit);
    }

    /**
     * The unit a date/time field function ({@code year(ts)}, {@code day_of_week(d)}, ...) reads
     * no finer than: the field is the same for every value of one such unit, so a key truncated
     * to that unit or finer gives it. Trino names each function by its canonical name
     * ({@code day_of_week} for {@code dow}) when it offers it to the connector.
     */
    public static Optional<String> unitOfField(String function)
    {
        return Optional.ofNullable(FIELD_UNITS.get(function));
    }

    /**
     * A field function of a date (epoch days) or short timestamp (epoch microseconds), computed
     * in the ISO calendar as Trino's own functions compute it.
     */
    public static Object field(Object value, Type type, String function)
    {
        if (value == null) {
            return null;
        }
        LocalDateTime time = type == DATE
                ? LocalDate.ofEpochDay((long) value).atStartOfDay()
                : LocalDateTime.ofEpochSecond(Math.floorDiv((long) value, MICROSECONDS_PER_SECOND), (int) Math.floorMod((long) value, MICROSECONDS_PER_SECOND) * NANOSECONDS_PER_MICROSECOND, ZoneOffset.UTC);
        return (long) switch (function) {
            case "year" -> time.getYear();
            case "quarter" -> (time.getMonthValue() - 1) / 3 + 1;
            case "month" -> time.getMonthValue();
            case "week" -> time.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
            case "year_of_week" -> time.get(IsoFields.WEEK_BASED_YEAR);
            case "day" -> time.getDayOfMonth();
            case "day_of_week" -> time.getDayOfWeek().getValue();
            case "day_of_year" -> time.getDayOfYear();
            case "hour" -> time.getHour();
            case "minute" -> time.getMinute();
            default -> throw new IllegalArgumentException("not a date/time field function: " + function);
        };
    }

    /**
     * True if every boundary of {@code coarse} is a boundary of {@code fine}, so truncating to
     * {@code fine} and then to {@code coarse} equals truncating to {@code coarse}. Weeks cross
     * month boundaries: a week key rolls up to nothing coarser.
     */
    public static boolean rollsUp(String fine, String coarse)
    {
        if (fine.equals(coarse)) {
            return true;
        }
        if (fine.equals("week") || coarse.equals("week")) {
            return coarse.equals("week") && UNITS.indexOf(fine) <= UNITS.indexOf("day");
        }
        return UNITS.indexOf(fine) < UNITS.indexOf(coarse);
    }

    public static boolean isTemporal(Type type)
    {
        return type == DATE || (type instanceof TimestampType timestamp && timestamp.isShort());
    }

    public static Object truncate(Object value, Type type, String unit)
    {
        if (value == null) {
            return null;
        }
        if (type == DATE) {
            return Math.floorDiv(RowExpressions.truncateMicros((long) value * MICROSECONDS_PER_DAY, unit), MICROSECONDS_PER_DAY);
        }
        return RowExpressions.truncateMicros((long) value, unit);
    }

    /**
     * {@code CAST(value AS date)} of a short timestamp (epoch microseconds): the day it falls in.
     */
    public static Object dateOf(Object value)
    {
        return value == null ? null : Math.floorDiv((long) value, MICROSECONDS_PER_DAY);
    }

    /**
     * The start of a day as a short timestamp: {@code CAST(value AS timestamp(p))} of a date.
     */
    public static Object midnightOf(Object value)
    {
        return value == null ? null : Math.multiplyExact((long) value, MICROSECONDS_PER_DAY);
    }

    /**
     * A domain on a short timestamp whose bounds all fall on midnights, as the same domain on
     * the {@code date} of the timestamp.
     */
    public static Domain daysOf(Domain midnights)
    {
        if (midnights.getValues().isAll() || midnights.getValues().isNone()) {
            return Domain.create(midnights.getValues().isAll() ? ValueSet.all(DATE) : ValueSet.none(DATE), midnights.isNullAllowed());
        }
        List<Range> ranges = midnights.getValues().getRanges().getOrderedRanges().stream()
                .map(range -> {
                    checkArgument(range.isLowUnbounded() || isAligned(range.getLowBoundedValue(), range.getType(), "day"), "not a midnight: %s", range);
                    checkArgument(range.isHighUnbounded() || isAligned(range.getHighBoundedValue(), range.getType(), "day"), "not a midnight: %s", range);
                    if (range.isLowUnbounded() && range.isHighUnbounded()) {
                        return Range.all(DATE);
                    }
                    if (range.isLowUnbounded()) {
                        return range.isHighInclusive() ? Range.lessThanOrEqual(DATE, dateOf(range.getHighBoundedValue())) : Range.lessThan(DATE, dateOf(range.getHighBoundedValue()));
                    }
                    if (range.isHighUnbounded()) {
                        return range.isLowInclusive() ? Range.greaterThanOrEqual(DATE, dateOf(range.getLowBoundedValue())) : Range.greaterThan(DATE, dateOf(range.getLowBoundedValue()));
                    }
                    return Range.range(DATE, dateOf(range.getLowBoundedValue()), range.isLowInclusive(), dateOf(range.getHighBoundedValue()), range.isHighInclusive());
                })
                .toList();
        return Domain.create(ValueSet.ofRanges(ranges), midnights.isNullAllowed());
    }

    public static boolean isAligned(Object value, Type type, String unit)
    {
        return truncate(value, type, unit).equals(value);
    }

    /**
     * {@code CAST(value AS timestamp(3))}: Trino rounds half up when it lowers a timestamp's precision.
     */
    public static Object castToMillis(Object value, Type from)
    {
        if (value == null) {
            return null;
        }
        if (from == DATE) {
            return (long) value * MICROSECONDS_PER_DAY;
        }
        return Timestamps.round((long) value, 3);
    }

    /**
     * True where {@code CAST(x AS timestamp(3))} changes no value of the type: then a key on
     * the column answers a query on the cast.
     */
    public static boolean castToMillisIsExact(Type type)
    {
        return type == DATE || (type instanceof TimestampType timestamp && timestamp.getPrecision() <= 3);
    }

    /**
     * The smallest value of the type above {@code value}, to turn {@code x > v} into {@code x >= next(v)}.
     */
    public static Optional<Object> next(Object value, Type type)
    {
        if (type == DATE) {
            return Optional.of((long) value + 1);
        }
        if (type instanceof TimestampType timestamp && timestamp.isShort()) {
            return Optional.of((long) value + (long) Math.pow(10, 6 - timestamp.getPrecision()));
        }
        return Optional.empty();
    }
}
