package serv.blog.internal;

import serv.core.Request;

/** Where the blog keeps its data: the repositories of one implementation, for one request. */
public interface Store {

    /** The setting's name of this implementation ({@code jdbc} or {@code jpa}). */
    String id();

    PostRepository posts(Request request);

    UserRepository users(Request request);
}
