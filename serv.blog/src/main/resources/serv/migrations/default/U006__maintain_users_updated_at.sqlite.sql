-- Undoes V006: users' updated_at is no longer moved on by the database.
DROP TRIGGER users_updated_at;
