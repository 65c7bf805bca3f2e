package io.hybridlakehouse.plugin.mv;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A view as one metastore read sees it, with the bases that maintain it and how far back it
 * still answers for them.
 *
 * @param rowsRemovedBefore retention removed base or view rows with times before this since the view was built
 * @param rowsRemovedOnKeys the view keys over the times retention removed rows by (none known: every base query reaches them)
 */
public record RegisteredView(SynchronousView view, Set<String> baseUuids, Optional<Instant> rowsRemovedBefore, Set<String> rowsRemovedOnKeys)
{
    public RegisteredView
    {
        requireNonNull(view, "view is null");
        baseUuids = Set.copyOf(baseUuids);
        requireNonNull(rowsRemovedBefore, "rowsRemovedBefore is null");
        rowsRemovedOnKeys = Set.copyOf(rowsRemovedOnKeys);
    }
}
