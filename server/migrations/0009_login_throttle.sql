-- Failed logins per account name, app name and client address (see
-- src/auth/throttle.rs): shared by every server of a cluster. The key is
-- the sha256 of the kind and the normalized name; `name` is for people.
CREATE TABLE login_throttle (
    subject_key VARCHAR(64) NOT NULL PRIMARY KEY,
    kind VARCHAR(16) NOT NULL,
    name VARCHAR(255) NOT NULL,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL
);

CREATE INDEX login_throttle_locked_until ON login_throttle (locked_until);
CREATE INDEX login_throttle_last_failure_at ON login_throttle (last_failure_at);
