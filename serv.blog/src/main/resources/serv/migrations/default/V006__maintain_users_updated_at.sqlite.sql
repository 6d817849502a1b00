-- As for posts (V005): whoever updates a user, updated_at moves on, with milliseconds. One line: the body's ';' is
-- inside it.
CREATE TRIGGER users_updated_at AFTER UPDATE OF username, email, password_hash ON users BEGIN UPDATE users SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = NEW.id; END;
