-- How far a running job is: what its worker has done of the total (0: not
-- known), and a note saying what is counted (files read, components
-- matched). Only the worker holding the job writes them, at most about once
-- a second (Store.JobProgress); a new attempt starts them from zero.
-- Numbered 00012 because 00011 was being written beside it.
-- Keep postgres/ in step.

-- +goose Up
ALTER TABLE jobs ADD COLUMN progress_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN progress_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN progress_note TEXT NOT NULL DEFAULT '';
