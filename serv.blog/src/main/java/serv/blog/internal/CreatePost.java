package serv.blog.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;

/**
 * {@code POST /posts} with a form or JSON body ({@code title}, {@code content}, {@code author_id}): 201 with the
 * new post. Runs in the request's transaction. The seed's {@code CreatePost}.
 */
final class CreatePost implements Handler {

    private final Blog blog;

    CreatePost(Blog blog) {
        this.blog = blog;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        Map<String, String> form = request.form();
        String title = Fields.title(form);
        String content = Fields.content(form);
        int authorId = Fields.integer(form, "author_id");
        Post created = blog.posts(request).create(title, content, authorId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", created.id());
        body.put("title", created.title());
        body.put("content", created.content());
        body.put("author_id", created.authorId());
        body.put("created_at", created.createdAt());
        response.status(201).json(body);
    }
}
