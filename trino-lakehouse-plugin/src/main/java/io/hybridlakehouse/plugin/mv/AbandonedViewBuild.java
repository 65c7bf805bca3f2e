package io.hybridlakehouse.plugin.mv;

import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * A view whose build no process has renewed within the lease: its coordinator died or its
 * statement failed part way.
 *
 * @param view the registration being built
 * @param creates the build is the view's CREATE; unknown (builds registered before their
 * owners were recorded) counts as a REFRESH, whose resumption keeps the view
 * @param owner the process that last claimed the build, if recorded
 * @param renewedAt when it last renewed it (epoch milliseconds), if recorded
 */
public record AbandonedViewBuild(SynchronousView view, boolean creates, Optional<String> owner, OptionalLong renewedAt)
{
    public AbandonedViewBuild
    {
        requireNonNull(view, "view is null");
        requireNonNull(owner, "owner is null");
        requireNonNull(renewedAt, "renewedAt is null");
    }
}
