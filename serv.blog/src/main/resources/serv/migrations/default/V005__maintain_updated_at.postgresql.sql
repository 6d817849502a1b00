-- updated_at is the database's business: whoever updates a post (JDBC, JPA, an operator), it moves on.
CREATE FUNCTION posts_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.updated_at := now(); RETURN NEW; END';
CREATE TRIGGER posts_updated_at BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION posts_touch_updated_at();
