package io.hybridlakehouse.plugin;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static java.util.stream.Collectors.joining;

/**
 * The catalog's properties as one log line, with every credential redacted: passwords, secret
 * and access keys, tokens, and query parameters of JDBC URLs (which may carry a password).
 */
final class CatalogPropertiesLog
{
    private static final Pattern CREDENTIAL = Pattern.compile(".*(password|secret|access-key|credential|token|session-key|-key$).*");

    private CatalogPropertiesLog() {}

    static String describe(Map<String, String> properties)
    {
        return new TreeMap<>(properties).entrySet().stream()
                .map(property -> property.getKey() + "=" + shown(property.getKey(), property.getValue()))
                .collect(joining(", "));
    }

    static String shown(String key, String value)
    {
        if (CREDENTIAL.matcher(key.toLowerCase(Locale.ROOT)).matches()) {
            return "[REDACTED]";
        }
        if (value.startsWith("jdbc:") && value.contains("?")) {
            return value.substring(0, value.indexOf('?')) + "?...";
        }
        return value;
    }
}
