-- Commanders load incident history from the UI (incident:import), as they
-- import grids; a fresh install gets it from the built-in roles instead.
INSERT INTO role_perms (role_id, perm) SELECT id, 'incident:import' FROM roles WHERE id = 'commander';
