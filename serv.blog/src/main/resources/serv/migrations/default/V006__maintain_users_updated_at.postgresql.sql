-- As for posts (V005): whoever updates a user, updated_at moves on.
CREATE FUNCTION users_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.updated_at := now(); RETURN NEW; END';
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_touch_updated_at();
