-- Undoes V006: users' updated_at is no longer moved on by the database.
DROP TRIGGER users_updated_at ON users;
DROP FUNCTION users_touch_updated_at();
