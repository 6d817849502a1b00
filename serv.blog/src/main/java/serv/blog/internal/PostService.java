package serv.blog.internal;

import java.util.List;

import serv.core.HttpException;

/**
 * The seed's {@code PostService}: the rules around the repositories, the same whichever implementation serves
 * them. Input is validated by the routes before it gets here.
 */
public final class PostService {

    private final PostRepository posts;
    private final UserRepository users;

    public PostService(PostRepository posts, UserRepository users) {
        this.posts = posts;
        this.users = users;
    }

    public List<Post> page(int limit, int offset) throws Exception {
        return posts.page(limit, offset);
    }

    public Post get(int id) throws Exception {
        return posts.find(id).orElseThrow(() -> HttpException.notFound("post not found"));
    }

    /** Creates a post of an existing author: 400 "author not found" otherwise (the foreign key checks it). */
    public Post create(String title, String content, int authorId) throws Exception {
        return posts.create(title, content, authorId).orElseThrow(() -> HttpException.badRequest("author not found"));
    }

    public Post update(int id, String title, String content) throws Exception {
        if (!posts.update(id, title, content)) {
            throw HttpException.notFound("post not found");
        }
        return get(id);
    }

    public void delete(int id) throws Exception {
        if (!posts.delete(id)) {
            throw HttpException.notFound("post not found");
        }
    }
}
