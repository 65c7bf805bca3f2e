package io.hybridlakehouse.plugin.mv;

import static java.util.Objects.requireNonNull;

/**
 * Who runs a build of a materialized view, as the metastore records it with the view's
 * registration, and whether the build is the view's CREATE: should its process die, the
 * background service undoes a CREATE (its statement failed, so nothing of it stays) and
 * resumes a REFRESH or a replacement (the view was already switched to the state being built).
 *
 * @param owner the building process (see {@link ViewBuildLeases})
 */
public record ViewBuildClaim(String owner, boolean creates)
{
    public ViewBuildClaim
    {
        requireNonNull(owner, "owner is null");
    }
}
