CREATE INDEX idx_posts_newest_first ON posts(created_at DESC, id DESC);
