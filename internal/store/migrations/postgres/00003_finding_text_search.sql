-- Text search of findings (the API's q) looks its candidates up instead of
-- reading every finding: the distinct lower-case package names findings
-- have (a small table, kept by the code that inserts findings), then the findings with those
-- names by index. Keep sqlite/ in step.

-- +goose Up
CREATE TABLE finding_packages (
    name_lc TEXT PRIMARY KEY
);
INSERT INTO finding_packages (name_lc) SELECT DISTINCT LOWER(package) FROM findings;
CREATE INDEX findings_package_lc ON findings (LOWER(package));
