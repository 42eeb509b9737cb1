-- Text search of findings (the API's q) looks its candidates up instead of
-- reading every finding: the distinct lower-case package names findings
-- have (a small table, kept by a trigger), then the findings with those
-- names by index. Keep postgres/ in step.

-- +goose Up
CREATE TABLE finding_packages (
    name_lc TEXT PRIMARY KEY
);
INSERT INTO finding_packages (name_lc) SELECT DISTINCT LOWER(package) FROM findings;
CREATE INDEX findings_package_lc ON findings (LOWER(package));

-- +goose StatementBegin
CREATE TRIGGER findings_package_name AFTER INSERT ON findings
BEGIN
    INSERT OR IGNORE INTO finding_packages (name_lc) VALUES (LOWER(NEW.package));
END;
-- +goose StatementEnd
