package io.hybridlakehouse.plugin.tiering;

import com.google.common.collect.ImmutableMap;
import com.google.inject.Inject;
import io.trino.plugin.base.session.SessionPropertiesProvider;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.security.ConnectorIdentity;
import io.trino.spi.session.PropertyMetadata;
import io.trino.spi.type.TimeZoneKey;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static io.trino.spi.type.TimeZoneKey.UTC_KEY;

/**
 * Sessions for the work the connector does on its own (tiering, retention, cleanup): the
 * connector's identity, UTC, and every session property at its default.
 */
public class BackgroundSession
{
    public static final String USER = "hybrid_lakehouse";

    private final Map<String, Object> defaults;
    private final AtomicLong sequence = new AtomicLong();

    @Inject
    public BackgroundSession(Set<SessionPropertiesProvider> sessionPropertiesProviders)
    {
        ImmutableMap.Builder<String, Object> defaults = ImmutableMap.builder();
        for (SessionPropertiesProvider provider : sessionPropertiesProviders) {
            for (PropertyMetadata<?> property : provider.getSessionProperties()) {
                if (property.getDefaultValue() != null) {
                    defaults.put(property.getName(), property.getDefaultValue());
                }
            }
        }
        this.defaults = defaults.buildKeepingLast();
    }

    public ConnectorSession create()
    {
        String queryId = "hybrid_background_" + sequence.incrementAndGet();
        Instant start = Instant.now();
        return new ConnectorSession()
        {
            @Override
            public String getQueryId()
            {
                return queryId;
            }

            @Override
            public Optional<String> getSource()
            {
                return Optional.of(USER);
            }

            @Override
            public ConnectorIdentity getIdentity()
            {
                return ConnectorIdentity.ofUser(USER);
            }

            @Override
            public TimeZoneKey getTimeZoneKey()
            {
                return UTC_KEY;
            }

            @Override
            public Locale getLocale()
            {
                return Locale.ENGLISH;
            }

            @Override
            public Optional<String> getTraceToken()
            {
                return Optional.empty();
            }

            @Override
            public Instant getStart()
            {
                return start;
            }

            @Override
            public <T> T getProperty(String name, Class<T> type)
            {
                return type.cast(defaults.get(name));
            }
        };
    }
}
