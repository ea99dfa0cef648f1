-- Fencing and create attempts.
--
-- jobs.lease_gen is the job's lease generation: 1 when created, incremented by every claim. A
-- write for a running job names the owner and generation it got the job with, and is refused
-- once they differ. Existing jobs get generation 1. Replicas of the previous release write
-- unfenced: fencing holds once every replica runs this release.
--
-- batches.create_until is the deadline (Unix microseconds, database clock) of the latest attempt
-- to create the batch's order: 0 when none was recorded. It is NULL for the batches of the
-- previous release, which recorded no attempts: read as "attempted, deadline passed". Adding a
-- column with a constant default or none rewrites no rows.
ALTER TABLE jobs ADD COLUMN lease_gen BIGINT NOT NULL DEFAULT 1;
ALTER TABLE batches ADD COLUMN create_until BIGINT;
