-- updated_at is the database's business: whoever updates a post (JDBC, JPA, an operator), it moves on, with
-- milliseconds like created_at (SQLite's CURRENT_TIMESTAMP has whole seconds only). One line: the body's ';' is
-- inside it.
CREATE TRIGGER posts_updated_at AFTER UPDATE OF title, content ON posts BEGIN UPDATE posts SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = NEW.id; END;
